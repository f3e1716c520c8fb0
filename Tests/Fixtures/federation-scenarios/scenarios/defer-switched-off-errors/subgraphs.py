"""A @defer switched off (`@defer(if: false)`, or `if: $d` with $d false) beside an active one: the
first payload then waits for every fetch, and the errors of the active fragment's fetch went to the
first payload (at paths its data does not have) while its incremental entry had none. Now a deferred
fetch's errors go with a fragment delivered later when their path is in one, else with the first
payload (PlanExecutor.executeIncrementally). DeferTests reads the payloads; tests.json holds the
plain answers."""

USERS = {"u3": {"handle": None}, "u1": {"handle": "ada"}}


def mood(u, a, i):
    raise Exception("mood service down for " + u["id"])


RESOLVERS = {
    "a": {"Query": {"user": lambda _, a, i: {"id": "u3"}, "users": lambda _, a, i: [{"id": "u1"}, {"id": "u3"}]}},
    "b": {"User": {"__resolveReference": lambda rep, i: dict(id=rep["id"], **USERS[rep["id"]]), "mood": mood}},
}

MONOLITH_SDL = """
type Query { user: User users: [User] }
type User { id: ID! handle: String! mood: String }
"""
MONOLITH = {"Query": {"user": lambda _, a, i: dict(id="u3", **USERS["u3"]),
                      "users": lambda _, a, i: [dict(id=u, **USERS[u]) for u in ("u1", "u3")]},
            "User": {"mood": mood}}
TESTS = [
    ("plain: the non-null failure takes the user down", "{ user { id handle } }"),
    ("plain: a nullable field's error", "{ users { id mood } }"),
]
