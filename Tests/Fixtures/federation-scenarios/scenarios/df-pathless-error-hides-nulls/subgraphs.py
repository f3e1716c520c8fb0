"""An error without a place explains no null (probe 55D, against one graphql-core server): subgraph a
answers its root query with data and a warning of its own (an error without a path), subgraph b its
`_entities` with an error at a representation it was not sent (["_entities", 7, "note"]), and c does
not know p1, so the non-null Product.stock is missing there without an error. The gateway took any
error without a path as the reason for every missing value of the response: products[0] was null
without "Cannot return null for non-nullable field Product.stock."."""
IDS = ["p1", "p2"]


def stock_ref(rep, info):
    return None if rep["id"] == "p1" else {"id": rep["id"], "stock": 5}


RESOLVERS = {
    "a": {"Query": {"products": lambda p, a, i: [{"__typename": "Product", "id": x, "name": "n" + x} for x in IDS],
                    "product": lambda p, a, i: {"__typename": "Product", "id": "p1", "name": "np1"}}},
    "b": {"Product": {"note": lambda p, a, i: "note " + p["id"]}},
    "c": {"Product": {"__resolveReference": stock_ref}},
}


def warning(request, answer):
    return {**answer, "errors": (answer.get("errors") or []) + [{"message": "a: slow query warning"}]}


def stray(request, answer):
    if "_entities" not in request.get("query", ""):
        return answer
    return {**answer, "errors": (answer.get("errors") or []) + [{"message": "b: stray", "path": ["_entities", 7, "note"]}]}


ANSWERS = {"a": warning, "b": stray}
