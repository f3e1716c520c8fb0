"""After the federation gateway audit's `simple-override` suite (the-guild-org/graphql-federation-gateway-audit).

b overrides Post.createdAt from a, whose createdAt resolver answers "NEVER". The posts (the audit's
data.ts, not in the stored copy of the audit) are rebuilt from the expected answers."""

POSTS = [{"id": "p1", "createdAt": "p1-createdAt"}, {"id": "p2", "createdAt": "p2-createdAt"}]


def post_ref(key, info):
    p = next((p for p in POSTS if p["id"] == key["id"]), None)
    return {"id": p["id"], "createdAt": p["createdAt"]} if p else None


RESOLVERS = {
    "a": {
        "Query": {"feed": lambda parent, args, info: [dict(p) for p in POSTS],
                  "aFeed": lambda parent, args, info: [dict(POSTS[1])]},
        "Post": {"__resolveReference": post_ref, "createdAt": lambda post, args, info: "NEVER"},
    },
    "b": {
        "Query": {"feed": lambda parent, args, info: [dict(p) for p in POSTS],
                  "bFeed": lambda parent, args, info: [dict(POSTS[0])]},
        "Post": {"__resolveReference": post_ref},
    },
}
