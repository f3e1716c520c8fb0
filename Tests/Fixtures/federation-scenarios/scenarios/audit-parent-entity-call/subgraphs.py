"""After the federation gateway audit's `parent-entity-call` suite (the-guild-org/graphql-federation-gateway-audit).

Category.details lives only in c, where Category is no entity: it can only be reached through
c's Product.category, so the gateway must make an entity call for the parent Product
(key `id pid`) to c rather than for the Category."""

PRODUCTS = [
    {"id": "p1", "pid": "p1-pid", "categoryId": "c1"},
    {"id": "p2", "pid": "p2-pid", "categoryId": "c2"},
    {"id": "p3", "pid": "p3-pid", "categoryId": "c1"},
]

CATEGORIES = [
    {"id": "c1", "name": "c1-name", "details": {"products": len([p for p in PRODUCTS if p["categoryId"] == "c1"])}},
    {"id": "c2", "name": "c2-name", "details": {"products": len([p for p in PRODUCTS if p["categoryId"] == "c2"])}},
]


def find_category(id_):
    return next((c for c in CATEGORIES if c["id"] == id_), None)


def product_out(p):
    return {"id": p["id"], "pid": p["pid"], "categoryId": p["categoryId"]}


def a_product_ref(key, info):
    p = next((p for p in PRODUCTS if p["id"] == key["id"] and ("pid" not in key or p["pid"] == key["pid"])), None)
    return product_out(p) if p else None


def bc_product_ref(key, info):
    p = next((p for p in PRODUCTS if p["id"] == key["id"] and p["pid"] == key.get("pid")), None)
    return product_out(p) if p else None


def category_with_name(product, args, info):
    c = find_category(product["categoryId"])
    return {"id": c["id"], "name": c["name"]} if c else None


def category_ref(key, info):
    c = find_category(key["id"])
    return {"id": c["id"], "name": c["name"]} if c else None


def c_category(product, args, info):
    c = find_category(product["categoryId"])
    return {"details": c["details"]} if c else None


RESOLVERS = {
    "a": {
        "Query": {"products": lambda parent, args, info: [product_out(p) for p in PRODUCTS]},
        "Product": {"__resolveReference": a_product_ref, "category": category_with_name},
        "Category": {"__resolveReference": category_ref},
    },
    "b": {
        "Product": {"__resolveReference": bc_product_ref, "category": category_with_name},
        "Category": {"__resolveReference": category_ref},
    },
    "c": {
        "Product": {"__resolveReference": bc_product_ref, "category": c_category},
    },
}
