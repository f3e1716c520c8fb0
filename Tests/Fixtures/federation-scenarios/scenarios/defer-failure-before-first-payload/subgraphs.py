"""A deferred fetch that fails (subgraph a provides `author { handle }`; `handle: String!` is null for
u3, so a's answer has `author: null`) and comes back before the first payload is shaped: its null
was merged into the tree the first payload is shaped from, which then showed `author: null` (no
error) where the client's non-deferred `author { karma }` is `{"karma": 2}`. A deferred fetch's
answer now waits to be merged until the first payload is out (unless a fetch the first payload
needs comes after it). `karma` sleeps 0.2 s so the deferred fetch comes back first (the answer must
not depend on it)."""
import time

USERS = {"u1": ("ada", 5), "u3": (None, 2)}
POSTS = [("p1", "u1"), ("p3", "u3")]


def a_post(p):
    u = dict(POSTS)[p]
    return {"__typename": "Post", "id": p, "author": {"__typename": "User", "id": u, "handle": USERS[u][0]}}


def karma(u, a, i):
    time.sleep(0.2)
    return USERS[u["id"]][1]


RESOLVERS = {
    "a": {
        "Query": {"posts": lambda _, a, i: [a_post(p) for p, u in POSTS]},
        "Post": {"__resolveReference": lambda rep, i: a_post(rep["id"])},
        "User": {"__resolveReference": lambda rep, i: {"id": rep["id"]}},
    },
    "b": {
        "User": {"__resolveReference": lambda rep, i: {"id": rep["id"], "handle": USERS[rep["id"]][0]}, "karma": karma},
    },
}
