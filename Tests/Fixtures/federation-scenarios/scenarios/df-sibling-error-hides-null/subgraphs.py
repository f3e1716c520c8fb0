"""An error on a sibling field explains no other field's null (probe 55D, against one graphql-core
server): Product.note (nullable, subgraph b) fails for p1, and subgraph c does not know p1, so the
non-null Product.stock is missing there without an error. A client of one schema gets products[0]
null with two errors: note's and "Cannot return null for non-nullable field Product.stock.". The
gateway dropped the second (an error of another subgraph on a sibling field counted as its reason),
also in a deferred fragment's payload."""
IDS = ["p1", "p2"]


def note(p, a, i):
    if p["id"] == "p1":
        raise Exception("note failed p1")
    return "note " + p["id"]


def stock_ref(rep, info):
    return None if rep["id"] == "p1" else {"id": rep["id"], "stock": 5}


RESOLVERS = {
    "a": {"Query": {"products": lambda p, a, i: [{"__typename": "Product", "id": x, "name": "n" + x} for x in IDS],
                    "product": lambda p, a, i: {"__typename": "Product", "id": "p1", "name": "np1"}}},
    "b": {"Product": {"note": note}},
    "c": {"Product": {"__resolveReference": stock_ref}},
}
