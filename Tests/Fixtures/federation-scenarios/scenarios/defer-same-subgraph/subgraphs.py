"""@defer on a field that the parent's own subgraph serves (`user { id ... @defer { name } }`,
both from accounts). It was asked in the parent's fetch: the first payload waited for it (a slow
field delayed it), a deferred nullable field's error came in the first payload, and a deferred
non-null field's null took the parent down in one payload. Now such a field of an entity is asked
by a deferred entity fetch of its own to the same subgraph (FetchGraph.plan, `again`), as a field
of another subgraph (`rank`) always was. DeferTests reads the payloads; tests.json holds the plain
(non-deferred) answers."""
import time

USERS = {"u1": {"name": "Ada", "rank": 1}, "u2": {"name": None, "rank": None}}


def email(u, a, i):
    raise Exception("mail service down for " + u["id"])


def slow(u, a, i):
    time.sleep(1.0)
    return "late"


RESOLVERS = {
    "accounts": {
        "Query": {"user": lambda _, a, i: {"id": a["id"], "name": USERS[a["id"]]["name"]} if a["id"] in USERS else None},
        "User": {"__resolveReference": lambda rep, i: {"id": rep["id"], "name": USERS[rep["id"]]["name"]},
                 "email": email, "slow": slow},
    },
    "extra": {
        "User": {"__resolveReference": lambda rep, i: {"id": rep["id"], "rank": USERS[rep["id"]]["rank"]}},
    },
}

MONOLITH_SDL = """
type Query { user(id: ID!): User }
type User { id: ID! name: String! email: String slow: String rank: Int! }
"""

MONOLITH = {"Query": {"user": lambda _, a, i: dict(id=a["id"], **USERS[a["id"]])},
            "User": {"email": email, "slow": slow}}

TESTS = [
    ("plain: a non-null null takes the user down", '{ user(id: "u2") { id name } }'),
    ("plain: both subgraphs", '{ user(id: "u1") { id name rank } }'),
]
