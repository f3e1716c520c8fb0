"""After the federation gateway audit's `node` suite (the-guild-org/graphql-federation-gateway-audit).

A `Node` interface (not an entity interface) in three subgraphs; Query.productNode is in `node`,
Product.name and price only in `types`."""

PRODUCTS = [
    {"id": "p-1", "name": "Product 1", "price": 10.0},
    {"id": "p-2", "name": "Product 2", "price": 20.0},
]

CATEGORIES = [
    {"id": "pc-1", "name": "Category 1"},
    {"id": "c-2", "name": "Category 2"},
]


def find(items, id_):
    return next((x for x in items if x["id"] == id_), None)


def id_only(items):
    def ref(key, info):
        x = find(items, key["id"])
        return {"id": x["id"]} if x else None
    return ref


def product_full(key, info):
    p = find(PRODUCTS, key["id"])
    return {"id": p["id"], "name": p["name"], "price": p["price"]} if p else None


def category_full(key, info):
    c = find(CATEGORIES, key["id"])
    return {"id": c["id"], "name": c["name"]} if c else None


RESOLVERS = {
    "node": {
        "Query": {
            "productNode": lambda parent, args, info: {"__typename": "Product", "id": PRODUCTS[0]["id"]},
            "categoryNode": lambda parent, args, info: {"__typename": "Category", "id": CATEGORIES[0]["id"]},
        },
        "Product": {"__resolveReference": id_only(PRODUCTS)},
        "Category": {"__resolveReference": id_only(CATEGORIES)},
    },
    "node-two": {
        "Product": {"__resolveReference": id_only(PRODUCTS)},
        "Category": {"__resolveReference": id_only(CATEGORIES)},
    },
    "types": {
        "Product": {"__resolveReference": product_full},
        "Category": {"__resolveReference": category_full},
    },
}
