"""After the federation gateway audit's `defer/shared-root` suite (the-guild-org/graphql-federation-gateway-audit).

Three subgraphs share Query.product / Query.products; Product is a value type (no key) and each
subgraph knows one of its fields, so every field must come from the root field of its own subgraph.
The audit's resolvers for Product.category / Product.name / Product.price wait 1 s / 2 s / 3 s
(so that deferred parts arrive in that order); here they wait a tenth of that, in the same order,
to keep the corpus fast. The product (the audit's data.ts for this suite, not in the stored copy
of the audit) is rebuilt from the expected answers."""
import time

PRODUCT = {
    "id": "1",
    "name": {"id": "1", "brand": "Brand 1", "model": "Model 1"},
    "category": {"id": "1", "name": "Category 1"},
    "price": {"id": "1", "amount": 1000, "currency": "USD"},
}

DELAY = {"category": 0.1, "name": 0.2, "price": 0.3}


def only(field):
    def slow(parent, args, info):
        time.sleep(DELAY[field])
        return parent[field]

    return {
        "Query": {
            "product": lambda parent, args, info: {"id": PRODUCT["id"], field: dict(PRODUCT[field])},
            "products": lambda parent, args, info: [{"id": PRODUCT["id"], field: dict(PRODUCT[field])}],
        },
        "Product": {field: slow},
    }


RESOLVERS = {
    "category": only("category"),
    "name": only("name"),
    "price": only("price"),
}
