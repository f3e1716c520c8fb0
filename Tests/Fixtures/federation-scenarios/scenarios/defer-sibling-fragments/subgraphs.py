"""Two deferred fragments at one path (siblings, or one nested in the other) whose fields come from
the same subgraph were asked in one deferred `_entities` fetch: when a non-null field of one
(`handle: String!`) was null, the subgraph nulled the whole entity and the other fragment's fields
came back null with no error (`{"karma": null}`, where the value is 2). Each deferred fragment is
its own null-propagation boundary; now each has its own fetch (FetchGraph.entityGroup keys deferred
groups by the fragment: `deferID`). DeferTests reads the payloads; tests.json holds plain answers."""

USERS = {"u3": {"karma": 2, "handle": None}, "u1": {"karma": 5, "handle": "ada"}}

RESOLVERS = {
    "a": {"Query": {"user": lambda _, a, i: {"id": "u3"}, "users": lambda _, a, i: [{"id": "u1"}, {"id": "u3"}]}},
    "b": {"User": {"__resolveReference": lambda rep, i: dict(id=rep["id"], **USERS[rep["id"]])}},
}

MONOLITH_SDL = """
type Query { user: User users: [User] }
type User { id: ID! karma: Int handle: String! }
"""
MONOLITH = {"Query": {"user": lambda _, a, i: dict(id="u3", **USERS["u3"]),
                      "users": lambda _, a, i: [dict(id=u, **USERS[u]) for u in ("u1", "u3")]}}
TESTS = [
    ("plain: the non-null failure takes the user down", "{ user { id karma handle } }"),
    ("plain: a list", "{ users { id karma } }"),
]
