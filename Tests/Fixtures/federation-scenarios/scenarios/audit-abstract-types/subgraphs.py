"""After the federation gateway audit's `abstract-types` suite (the-guild-org/graphql-federation-gateway-audit).

Seven subgraphs around the `Product` interface (Book, Magazine): products owns the interface with
sku/dimensions/createdBy and the `PublisherType` union (Agency | Self); agency extends that union
with Group and owns the Agency/Group entities; inventory adds `delivery` with a @requires on
dimensions; books and magazines own the titles; reviews adds reviews and a @requires on similar;
users is a Federation 1 subgraph owning User (keyed by email)."""

USERS = [
    {"id": "u1", "email": "u1@example.com", "name": "u1-name"},
    {"id": "u2", "email": "u2@example.com", "name": "u2-name"},
    {"id": "u3", "email": "u3@example.com", "name": "u3-name"},
]

BOOKS = [
    {"__typename": "Book", "id": "p1", "sku": "sku-1", "title": "Book 1", "createdBy": "u1",
     "dimensions": {"size": "small", "weight": 0.5},
     "publisher": {"__typename": "Self", "email": USERS[0]["email"]}, "hidden": False},
    {"__typename": "Book", "id": "p3", "sku": "sku-3", "title": "Book 2", "createdBy": "u2",
     "dimensions": {"size": "small", "weight": 0.6},
     "publisher": {"__typename": "Agency", "id": "a1"}, "hidden": False},
]

MAGAZINES = [
    {"__typename": "Magazine", "id": "p2", "sku": "sku-2", "title": "Magazine 1", "createdBy": "u1",
     "dimensions": {"size": "small", "weight": 0.2},
     "publisher": {"__typename": "Agency", "id": "a1"}, "hidden": False},
    {"__typename": "Magazine", "id": "p4", "sku": "sku-4", "title": "Magazine 2", "createdBy": "u2",
     "dimensions": {"size": "small", "weight": 0.3},
     "publisher": {"__typename": "Self", "email": USERS[0]["email"]}, "hidden": True},
]

PRODUCTS = BOOKS + MAGAZINES

REVIEWS = [
    {"id": 1, "body": "review 1", "productId": "p1", "score": 3},
    {"id": 2, "body": "review 2", "productId": "p1", "score": 4},
    {"id": 3, "body": "review 3", "productId": "p2", "score": 5},
]

AGENCIES = [{"id": "a1", "companyName": "Agency 1", "email": {"address": "a1@example.com"}}]


def find(items, **kw):
    return next((i for i in items if all(i.get(k) == v for k, v in kw.items())), None)


# --- agency ---------------------------------------------------------------------------------

def agency_ref(key, info):
    a = find(AGENCIES, id=key["id"])
    return dict(a) if a else None


def group_ref(key, info):
    return {"id": key["id"], "name": "Group " + key["id"], "email": "group" + key["id"] + "@example.com"}


# --- inventory ------------------------------------------------------------------------------

def inventory_ref(items):
    def ref(key, info):
        p = find(items, id=key["id"])
        if not p:
            return None
        return {"__typename": p["__typename"], "id": p["id"], "dimensions": key.get("dimensions")}
    return ref


def delivery(parent, args, info):
    zip_ = args.get("zip")
    dimensions = parent.get("dimensions")
    if not zip_:
        return None
    if not dimensions:
        return None
    if dimensions.get("size") == "small" and dimensions.get("weight") is not None and dimensions["weight"] < 1:
        return {"estimatedDelivery": "1 day", "fastestDelivery": "same day"}
    if dimensions.get("size") == "large" and dimensions.get("weight") is not None and dimensions["weight"] >= 1:
        return {"estimatedDelivery": "3 days", "fastestDelivery": "2 days"}
    return None


# --- books / magazines ----------------------------------------------------------------------

def title_ref(items):
    def ref(key, info):
        p = find(items, id=key["id"])
        return {"__typename": p["__typename"], "id": p["id"], "title": p["title"]} if p else None
    return ref


# --- products -------------------------------------------------------------------------------

def product_view(p):
    return {"__typename": p["__typename"], "id": p["id"], "sku": p["sku"], "dimensions": p["dimensions"],
            "createdBy": p["createdBy"], "hidden": p["hidden"], "publisherType": p["publisher"]}


def products_root(parent, args, info):
    return [product_view(p) for p in PRODUCTS]


def similar_root(parent, args, info):
    product = find(PRODUCTS, id=args["id"])
    if not product:
        return []
    return [product_view(p) for p in PRODUCTS
            if p["id"] != product["id"] and p["__typename"] == product["__typename"]]


def products_ref(items):
    def ref(key, info):
        p = find(items, id=key["id"])
        return product_view(p) if p else None
    return ref


def similar_of(items):
    def resolve(parent, args, info):
        return [product_view(p) for p in items if p["id"] != parent["id"]]
    return resolve


def created_by(parent, args, info):
    u = find(USERS, id=parent.get("createdBy"))
    return {"__typename": "User", "id": u["id"], "email": u["email"]} if u else None


def products_user_ref(key, info):
    u = find(USERS, email=key["email"])
    return {"__typename": "User", "id": u["id"], "email": u["email"]} if u else None


def total_products_created(parent, args, info):
    return len([p for p in PRODUCTS if p["createdBy"] == parent.get("id")])


# --- reviews --------------------------------------------------------------------------------

def review_view(review):
    product = find(PRODUCTS, id=review["productId"])
    return {"__typename": "Review", "id": review["id"], "body": review["body"],
            "product": {"__typename": product["__typename"], "id": product["id"]} if product else None}


def reviews_product_ref(key, info):
    p = find(PRODUCTS, id=key["id"])
    return {"__typename": p["__typename"], "id": p["id"], "similar": key.get("similar")} if p else None


def reviews_of(parent, args, info):
    return [review_view(r) for r in REVIEWS if r["productId"] == parent["id"]]


def reviews_count(parent, args, info):
    return len([r for r in REVIEWS if r["productId"] == parent["id"]])


def reviews_score(parent, args, info):
    rs = [r for r in REVIEWS if r["productId"] == parent["id"]]
    if not rs:
        return 0
    return sum(r["score"] for r in rs) / len(rs)


def reviews_of_similar(parent, args, info):
    similar = parent["similar"]
    if not isinstance(similar, dict):  # the audit reads `similar.id` of the list: a TypeError
        raise TypeError("Cannot read properties of undefined (reading 'includes')")
    ids = similar["id"]
    sims = [p for p in PRODUCTS if p["__typename"] == parent["__typename"] and p["id"] in ids]
    return [review_view(r) for p in sims for r in REVIEWS if r["productId"] == p["id"]]


def review_root(parent, args, info):
    r = find(REVIEWS, id=args["id"])
    return review_view(r) if r else None


REVIEWS_PRODUCT = {
    "__resolveReference": reviews_product_ref,
    "reviews": reviews_of,
    "reviewsCount": reviews_count,
    "reviewsScore": reviews_score,
    "reviewsOfSimilar": reviews_of_similar,
}


# --- users ----------------------------------------------------------------------------------

def users_user_ref(key, info):
    u = find(USERS, email=key["email"])
    return {"__typename": "User", "id": u["id"], "email": u["email"], "name": u["name"]} if u else None


RESOLVERS = {
    "agency": {
        "Agency": {"__resolveReference": agency_ref},
        "Group": {"__resolveReference": group_ref},
    },
    "inventory": {
        "Book": {"__resolveReference": inventory_ref(BOOKS), "delivery": delivery},
        "Magazine": {"__resolveReference": inventory_ref(MAGAZINES), "delivery": delivery},
    },
    "books": {
        "Query": {"books": lambda parent, args, info: [
            {"__typename": "Book", "id": b["id"], "title": b["title"]} for b in BOOKS]},
        "Book": {"__resolveReference": title_ref(BOOKS)},
    },
    "magazines": {
        "Query": {"magazines": lambda parent, args, info: [
            {"__typename": m["__typename"], "id": m["id"], "title": m["title"]} for m in MAGAZINES]},
        "Magazine": {"__resolveReference": title_ref(MAGAZINES)},
    },
    "products": {
        "Query": {"products": products_root, "similar": similar_root},
        "Book": {"__resolveReference": products_ref(BOOKS), "similar": similar_of(BOOKS), "createdBy": created_by},
        "Magazine": {"__resolveReference": products_ref(MAGAZINES), "similar": similar_of(MAGAZINES),
                     "createdBy": created_by},
        "User": {"__resolveReference": products_user_ref, "totalProductsCreated": total_products_created},
    },
    "reviews": {
        "Query": {"review": review_root},
        "Book": dict(REVIEWS_PRODUCT),
        "Magazine": dict(REVIEWS_PRODUCT),
    },
    "users": {
        "User": {"__resolveReference": users_user_ref, "totalProductsCreated": total_products_created},
    },
}
