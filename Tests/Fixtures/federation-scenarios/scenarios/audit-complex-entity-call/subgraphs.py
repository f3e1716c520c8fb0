"""After the federation gateway audit's `complex-entity-call` suite (the-guild-org/graphql-federation-gateway-audit).

Entities with nested (list and object) keys: products has `ProductList @key(fields: "products{id}")`
with Query.topProducts; list has `ProductList @key(fields: "products{id pid}")` with first and
selected; price has `ProductList @key(fields: "products{id pid category{id tag}} selected{id}")`,
`Product @key(fields: "id pid category{id tag}")` with price; link turns `Product @key("id")` into
`Product @key("id pid")` (it knows both keys)."""

PRODUCTS = [
    {"id": "1", "pid": "p1", "categoryId": "c1", "price": 100},
    {"id": "2", "pid": "p2", "categoryId": "c2", "price": 200},
]

CATEGORIES = [
    {"id": "c1", "tag": "t1", "mainProduct": "1"},
    {"id": "c2", "tag": "t2", "mainProduct": "2"},
]


def first(items, pred):
    return next((i for i in items if pred(i)), None)


def category_of(p):
    return first(CATEGORIES, lambda c: c["id"] == p["categoryId"])


# --- link -----------------------------------------------------------------------------------

def link_product_ref(key, info):
    if "pid" in key:
        return first(PRODUCTS, lambda p: p["id"] == key["id"] and p["pid"] == key["pid"])
    return first(PRODUCTS, lambda p: p["id"] == key["id"])


# --- list -----------------------------------------------------------------------------------

def list_product_list_ref(key, info):
    prods = [p for p in PRODUCTS if any(k["id"] == p["id"] and k.get("pid") == p["pid"] for k in key["products"])]
    return {"products": prods, "first": prods[0] if len(prods) > 0 else None,
            "selected": prods[1] if len(prods) > 1 else None}


def list_product_ref(key, info):
    return first(PRODUCTS, lambda p: p["id"] == key["id"] and p["pid"] == key.get("pid"))


# --- price ----------------------------------------------------------------------------------

def matches_with_category(p, k):
    if p["id"] == k["id"] and p["pid"] == k.get("pid"):
        cat = category_of(p)
        # the audit reads key.category.id: a representation without category throws
        if cat and cat["id"] == k["category"]["id"] and cat["tag"] == k["category"]["tag"]:
            return True
    return False


def price_product_ref(key, info):
    return first(PRODUCTS, lambda p: matches_with_category(p, key))


def price_product_list_ref(key, info):
    prods = [p for p in PRODUCTS if any(matches_with_category(p, k) for k in key["products"])]
    return {"products": prods, "first": prods[0] if prods else None,
            "selected": first(PRODUCTS, lambda p: p["id"] == key["selected"]["id"])}


def price_category_ref(key, info):
    return first(CATEGORIES, lambda c: c["id"] == key["id"])


# --- products -------------------------------------------------------------------------------

def products_product_list_ref(key, info):
    return {"products": [p for p in PRODUCTS if any(k["id"] == p["id"] for k in key["products"])]}


RESOLVERS = {
    "link": {
        "Product": {"__resolveReference": link_product_ref},
    },
    "list": {
        "ProductList": {"__resolveReference": list_product_list_ref},
        "Product": {"__resolveReference": list_product_ref},
    },
    "price": {
        "Product": {
            "__resolveReference": price_product_ref,
            "price": lambda p, args, info: {"price": p["price"]},
            "category": lambda p, args, info: category_of(p),
        },
        "Category": {"__resolveReference": price_category_ref},
        "ProductList": {"__resolveReference": price_product_list_ref},
    },
    "products": {
        "Query": {"topProducts": lambda parent, args, info: {"products": PRODUCTS}},
        "ProductList": {"__resolveReference": products_product_list_ref},
        "Product": {
            "__resolveReference": lambda key, info: first(PRODUCTS, lambda p: p["id"] == key["id"]),
            "category": lambda p, args, info: category_of(p),
        },
        "Category": {
            "__resolveReference": lambda key, info: first(CATEGORIES, lambda c: c["id"] == key["id"]),
            "mainProduct": lambda c, args, info: first(PRODUCTS, lambda p: p["id"] == c["mainProduct"]),
        },
    },
}
