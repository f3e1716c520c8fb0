"""After the federation gateway audit's `requires-with-argument` suite (the-guild-org/graphql-federation-gateway-audit).

a's shippingEstimate requires `price(currency: "USD") weight` from b; d's Post.author requires
`comments(limit: 3) { authorId }`, where d resolves comments(limit) (ids only) and c resolves
Comment.authorId. The stored copy of the audit's test.ts with the `feed` tests (the version that goes
with the c and d subgraphs and the data with posts and comments) is used."""

PRODUCTS = [
    {"upc": "p1", "name": "p-name-1", "price": 11, "weight": 1},
    {"upc": "p2", "name": "p-name-2", "price": 22, "weight": 2},
]

POSTS = [{"id": "p1", "body": "p1-body"}, {"id": "p2", "body": "p2-body"}]

COMMENTS = [
    {"id": "c1", "postId": "p1", "authorId": "a2", "body": "c1-body"},
    {"id": "c2", "postId": "p1", "authorId": "a2", "body": "c2-body"},
    {"id": "c3", "postId": "p1", "authorId": "a2", "body": "c3-body"},
    {"id": "c4", "postId": "p2", "authorId": "a1", "body": "c4-body"},
    {"id": "c5", "postId": "p2", "authorId": "a1", "body": "c5-body"},
    {"id": "c6", "postId": "p2", "authorId": "a1", "body": "c6-body"},
]

AUTHORS = [{"id": "a1", "name": "a1-name"}, {"id": "a2", "name": "a2-name"}]


def first(items, **kv):
    return next((x for x in items if all(x.get(k) == v for k, v in kv.items())), None)


# --- a
def a_product_ref(key, info):
    p = first(PRODUCTS, upc=key["upc"])
    if not p:
        return None
    if "weight" in key and "price" in key:
        return {"upc": p["upc"], "weight": key["weight"], "price": key["price"]}
    return {"upc": p["upc"]}


def shipping_estimate(product, args, info):
    return product["price"] * product["weight"] * 10


# --- b
def b_product(p):
    return {"upc": p["upc"], "name": p["name"], "price": p["price"], "weight": p["weight"]}


def b_product_ref(key, info):
    p = first(PRODUCTS, upc=key["upc"])
    return b_product(p) if p else None


# --- c
def c_post_ref(key, info):
    p = first(POSTS, id=key["id"])
    return {"id": p["id"]} if p else None


def c_comment_ref(key, info):
    c = first(COMMENTS, id=key["id"])
    return {"id": c["id"], "authorId": c["authorId"], "body": c["body"]} if c else None


# --- d
def d_post_ref(key, info):
    p = first(POSTS, id=key["id"])
    if not p:
        return None
    if key.get("comments") is not None:
        if len(key["comments"]) != 3:
            raise Exception("Expected 3 comments")
        return {"id": p["id"], "authorId": key["comments"][2]["authorId"]}
    return {"id": p["id"]}


def d_author(post, args, info):
    if not post.get("authorId"):
        return None
    a = first(AUTHORS, id=post["authorId"])
    return {"id": a["id"], "name": a["name"]} if a else None


def d_comments(post, args, info):
    return [{"id": c["id"]} for c in COMMENTS if c["postId"] == post["id"]][: args["limit"]]


def d_comment_ref(key, info):
    c = first(COMMENTS, id=key["id"])
    return {"id": c["id"]} if c else None


RESOLVERS = {
    "a": {"Product": {"__resolveReference": a_product_ref, "shippingEstimate": shipping_estimate}},
    "b": {
        "Query": {"products": lambda parent, args, info: [b_product(p) for p in PRODUCTS]},
        "Product": {"__resolveReference": b_product_ref},
    },
    "c": {
        "Query": {"feed": lambda parent, args, info: [{"id": p["id"]} for p in POSTS]},
        "Post": {"__resolveReference": c_post_ref},
        "Comment": {"__resolveReference": c_comment_ref},
    },
    "d": {
        "Post": {"__resolveReference": d_post_ref, "author": d_author, "comments": d_comments},
        "Comment": {"__resolveReference": d_comment_ref},
    },
}
