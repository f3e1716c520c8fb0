"""After the federation gateway audit's `shared-root` suite (the-guild-org/graphql-federation-gateway-audit).

Three subgraphs share Query.product / Query.products; Product is a value type (no key) and each
subgraph knows one of its fields, so every field must come from the root field of its own subgraph.
The product (the audit's data.ts for this version of the suite, not in the stored copy of the audit)
is rebuilt from the expected answers."""

PRODUCT = {
    "id": "1",
    "name": {"id": "1", "brand": "Brand 1", "model": "Model 1"},
    "category": {"id": "1", "name": "Category 1"},
    "price": {"id": "1", "amount": 1000, "currency": "USD"},
}


def only(field):
    return {
        "product": lambda parent, args, info: {"id": PRODUCT["id"], field: dict(PRODUCT[field])},
        "products": lambda parent, args, info: [{"id": PRODUCT["id"], field: dict(PRODUCT[field])}],
    }


RESOLVERS = {
    "category": {"Query": only("category")},
    "name": {"Query": only("name")},
    "price": {"Query": only("price")},
}
