"""After the federation gateway audit's `unavailable-override` suite (the-guild-org/graphql-federation-gateway-audit).

b's Post.createdAt says @override(from: "non-existing"), a subgraph that does not exist: composition
must ignore it, and createdAt stays shareable between a and b. The posts (the audit's data.ts, not in
the stored copy of the audit) are rebuilt from the expected answers."""

POSTS = [{"id": "p1", "createdAt": "p1-createdAt"}, {"id": "p2", "createdAt": "p2-createdAt"}]


def post_ref(key, info):
    p = next((p for p in POSTS if p["id"] == key["id"]), None)
    return {"id": p["id"], "createdAt": p["createdAt"]} if p else None


RESOLVERS = {
    "a": {
        "Query": {"feed": lambda parent, args, info: [dict(p) for p in POSTS],
                  "aFeed": lambda parent, args, info: [dict(POSTS[1])]},
        "Post": {"__resolveReference": post_ref},
    },
    "b": {
        "Query": {"feed": lambda parent, args, info: [dict(p) for p in POSTS],
                  "bFeed": lambda parent, args, info: [dict(POSTS[0])]},
        "Post": {"__resolveReference": post_ref},
    },
}
