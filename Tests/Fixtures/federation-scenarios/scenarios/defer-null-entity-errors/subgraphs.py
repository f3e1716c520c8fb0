"""A deferred fragment over two subgraphs (`... @defer { mood handle }`: mood from c, handle: String!
from b), in a list. For u9, which b does not know (`_entities` answers null), the gateway makes the
non-null error itself ("Cannot return null for non-nullable field User.handle."). When the deferred
fetches also returned a subgraph error (c's `mood` raises for u1), that error was lost (every
missing value was taken as explained once any fetch had an error); now only an error on, around
or beside the value explains it, as in the first payload. DeferTests reads the payloads."""

KNOWN = {"u1": "ada"}


def mood(u, a, i):
    if u["id"] == "u1":
        raise Exception("mood service down for " + u["id"])
    return "ok"

RESOLVERS = {
    "a": {"Query": {"user": lambda _, a, i: {"id": "u9"}, "users": lambda _, a, i: [{"id": "u1"}, {"id": "u9"}]}},
    "c": {"User": {"__resolveReference": lambda rep, i: {"id": rep["id"]} if rep["id"] in KNOWN else None, "mood": mood}},
    "b": {"User": {"__resolveReference": lambda rep, i: {"id": rep["id"], "handle": KNOWN[rep["id"]]} if rep["id"] in KNOWN else None}},
}

MONOLITH_SDL = """
type Query { user: User users: [User] }
type User { id: ID! handle: String! mood: String }
"""
MONOLITH = {"User": {"mood": mood}, "Query": {"user": lambda _, a, i: {"id": "u9", "handle": None, "mood": None},
                      "users": lambda _, a, i: [{"id": u, "handle": KNOWN.get(u), "mood": None} for u in ("u1", "u9")]}}
TESTS = [
    ("without @defer, in a list: both errors", "{ users { id mood handle } }"),
    ("without @defer, two subgraphs", "{ user { id mood handle } }"),
    ("without @defer: the gateway-made error at user.handle", "{ user { id handle } }"),
]
