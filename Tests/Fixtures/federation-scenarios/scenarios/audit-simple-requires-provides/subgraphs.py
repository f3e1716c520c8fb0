"""After the federation gateway audit's `simple-requires-provides` suite (the-guild-org/graphql-federation-gateway-audit).

The classic accounts / products / inventory / reviews graph: inventory's shippingEstimate and
shippingEstimateTag require products' price and weight; reviews provides Review.author.username."""

USERS = [
    {"id": "u1", "username": "u-username-1", "name": "u-name-1"},
    {"id": "u2", "username": "u-username-2", "name": "u-name-2"},
]

PRODUCTS = [
    {"upc": "p1", "name": "p-name-1", "price": 11, "weight": 1},
    {"upc": "p2", "name": "p-name-2", "price": 22, "weight": 2},
]

IN_STOCK = [PRODUCTS[0]["upc"]]

REVIEWS = [
    {"id": "r1", "body": "r-body-1", "authorId": USERS[0]["id"], "productUpc": PRODUCTS[0]["upc"]},
    {"id": "r2", "body": "r-body-2", "authorId": USERS[0]["id"], "productUpc": PRODUCTS[1]["upc"]},
]


def first(items, **kv):
    return next((x for x in items if all(x.get(k) == v for k, v in kv.items())), None)


# --- accounts
def account(u):
    return {"id": u["id"], "name": u["name"], "username": u["username"]}


def accounts_user_ref(key, info):
    u = first(USERS, id=key["id"])
    return account(u) if u else None


# --- products
def product(p):
    return {"upc": p["upc"], "name": p["name"], "price": p["price"], "weight": p["weight"]}


def products_ref(key, info):
    p = first(PRODUCTS, upc=key["upc"])
    return product(p) if p else None


# --- inventory
def inventory_ref(key, info):
    p = first(PRODUCTS, upc=key["upc"])
    if not p:
        return None
    if "weight" in key and "price" in key:
        return {"upc": p["upc"], "weight": key["weight"], "price": key["price"]}
    return {"upc": p["upc"]}


# --- reviews
def review(r):
    return {"id": r["id"], "body": r["body"], "authorId": r["authorId"], "productUpc": r["productUpc"]}


def review_ref(key, info):
    r = first(REVIEWS, id=key["id"])
    return review(r) if r else None


def review_author(r, args, info):
    u = first(USERS, id=r["authorId"])
    return {"id": u["id"], "username": u["username"]} if u else None


def review_product(r, args, info):
    p = first(PRODUCTS, upc=r["productUpc"])
    if not p:
        return None
    return {"upc": p["upc"], "reviews": [review(x) for x in REVIEWS if x["productUpc"] == p["upc"]]}


def reviews_user_ref(key, info):
    u = first(USERS, id=key["id"])
    return {"id": u["id"], "username": u["username"]} if u else None


RESOLVERS = {
    "accounts": {
        "Query": {"me": lambda parent, args, info: account(USERS[0])},
        "User": {"__resolveReference": accounts_user_ref},
    },
    "products": {
        "Query": {"products": lambda parent, args, info: [product(p) for p in PRODUCTS]},
        "Product": {"__resolveReference": products_ref},
    },
    "inventory": {
        "Product": {
            "__resolveReference": inventory_ref,
            "shippingEstimate": lambda p, args, info: p["price"] * p["weight"] * 10,
            "shippingEstimateTag": lambda p, args, info: f"#{p['upc']}#{p['price'] * p['weight'] * 10}#",
            "inStock": lambda p, args, info: p["upc"] in IN_STOCK,
        },
    },
    "reviews": {
        "Review": {"__resolveReference": review_ref, "author": review_author, "product": review_product},
        "User": {"__resolveReference": reviews_user_ref,
                 "reviews": lambda u, args, info: [dict(r) for r in REVIEWS if r["authorId"] == u["id"]]},
        "Product": {"__resolveReference": lambda key, info: {"upc": key["upc"]},
                    "reviews": lambda p, args, info: [dict(r) for r in REVIEWS if r["productUpc"] == p["upc"]]},
    },
}
