"""After the federation gateway audit's `fed1-external-extends-resolvable` suite (the-guild-org/graphql-federation-gateway-audit).

Federation 1: a owns Product by `id` (with name and pid); b extends Product with the keys
`id name` and `upc`, all three @external, and adds price. Reaching b through the `id name` key
must be enough to get b's `upc` too."""

PRODUCTS = [{"id": "p1", "pid": "p1-pid", "price": 12.3, "upc": "upc1", "name": "p1-name"}]


def a_product():
    p = PRODUCTS[0]
    return {"id": p["id"], "name": p["name"], "pid": p["pid"]}


def a_ref(key, info):
    if PRODUCTS[0]["id"] != key.get("id"):
        return None
    return a_product()


def b_view(p):
    return {"id": p["id"], "name": p["name"], "upc": p["upc"], "price": p["price"]}


def b_ref(key, info):
    if "id" in key:
        p = next((p for p in PRODUCTS if p["id"] == key["id"] and p["name"] == key.get("name")), None)
    else:
        p = next((p for p in PRODUCTS if p["upc"] == key.get("upc")), None)
    return b_view(p) if p else None


RESOLVERS = {
    "a": {
        "Query": {"productInA": lambda parent, args, info: a_product()},
        "Product": {"__resolveReference": a_ref},
    },
    "b": {
        "Query": {"productInB": lambda parent, args, info: b_view(PRODUCTS[0])},
        "Product": {"__resolveReference": b_ref},
    },
}
