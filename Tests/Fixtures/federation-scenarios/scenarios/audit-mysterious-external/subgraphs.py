"""After the federation gateway audit's `mysterious-external` suite (the-guild-org/graphql-federation-gateway-audit).

price extends Product with its key field `id` marked @external (a Federation 2 subgraph with
`extend type`), yet price resolves Product by id and returns its own id. The products (the
audit's data.ts, not in the stored copy of the audit) are rebuilt from the expected answers."""

PRODUCTS = [
    {"id": "1", "name": "name-1", "price": 100},
    {"id": "2", "name": "name-2", "price": 200},
]


def find(id_):
    return next((p for p in PRODUCTS if p["id"] == id_), None)


def price_ref(key, info):
    p = find(key["id"])
    return {"id": p["id"], "price": p["price"]} if p else None


def cheapest(parent, args, info):
    best = None
    for p in PRODUCTS:
        if best is None or p["price"] < best["price"]:
            best = p
    return dict(best) if best else None


def product_ref(key, info):
    p = find(key["id"])
    return {"id": p["id"], "name": p["name"]} if p else None


RESOLVERS = {
    "price": {
        "Query": {"cheapestProduct": cheapest},
        "Product": {"__resolveReference": price_ref},
    },
    "product": {
        "Query": {"products": lambda parent, args, info: [{"id": p["id"], "name": p["name"]} for p in PRODUCTS]},
        "Product": {"__resolveReference": product_ref},
    },
}
