"""Subgraph c does not know p1, so the non-null Product.stock is null there without an error; the
gateway makes the "Cannot return null" error itself. The client selects stock twice under one
response key: graphql-js gives the error the locations of both field nodes (as the gateway does
for a subgraph's error at the same place), the gateway's own error has only the first."""
IDS = ["p1", "p2"]


def stock_ref(rep, info):
    return None if rep["id"] == "p1" else {"id": rep["id"], "stock": 5}


RESOLVERS = {
    "a": {"Query": {"products": lambda p, a, i: [{"__typename": "Product", "id": x, "name": "n" + x} for x in IDS],
                    "product": lambda p, a, i: {"__typename": "Product", "id": "p1", "name": "np1"}}},
    "b": {"Product": {"note": lambda p, a, i: "note " + p["id"]}},
    "c": {"Product": {"__resolveReference": stock_ref}},
}
