"""After the federation gateway audit's `override-type-interface` suite (the-guild-org/graphql-federation-gateway-audit).

b overrides ImagePost.createdAt from a (a's resolver answers "NEVER", so asking a for it shows);
ImagePost implements Post in a and AnotherPost in b; TextPost implements Post only in b."""

IMAGE_POSTS = [
    {"__typename": "ImagePost", "id": "i1", "createdAt": "i1-createdAt"},
    {"__typename": "ImagePost", "id": "i2", "createdAt": "i2-createdAt"},
]

TEXT_POSTS = [
    {"__typename": "TextPost", "id": "t1", "createdAt": "t1-createdAt", "body": "t1-body"},
    {"__typename": "TextPost", "id": "t2", "createdAt": "t2-createdAt", "body": "t2-body"},
]


def find(items, id_):
    return next((x for x in items if x["id"] == id_), None)


def image_ref(key, info):
    p = find(IMAGE_POSTS, key["id"])
    return {"id": p["id"], "createdAt": p["createdAt"]} if p else None


def text_ref(key, info):
    p = find(TEXT_POSTS, key["id"])
    return {"id": p["id"], "createdAt": p["createdAt"], "body": p["body"]} if p else None


RESOLVERS = {
    "a": {
        "Query": {"feed": lambda parent, args, info: [dict(p) for p in IMAGE_POSTS]},
        "ImagePost": {"__resolveReference": image_ref, "createdAt": lambda parent, args, info: "NEVER"},
    },
    "b": {
        "Query": {"anotherFeed": lambda parent, args, info: [dict(p) for p in IMAGE_POSTS]},
        "TextPost": {"__resolveReference": text_ref},
        "ImagePost": {"__resolveReference": image_ref},
    },
}
