"""Round 8 (found in the new world z2: `top { name ... on Hit { ... on User @skip(if: $b18) { score } } }`).
User @key(id) @key(email) is owned by a; b keys it by email only, and `top: [User] @provides(fields: "id")` (id, a key field
of a, is @external in b and provided there). `score @requires(fields: "name")` is b's; name is a's. (c keys User by email only: `badge @requires(fields: "name")`, `tag`.)
For `top { name ... @skip(if: $b) { score } }` the planner writes b's root fetch as
`top{__typename id ...@skip(if:$b){__typename email}}` and a's entity fetch with the representation
`... on User { __typename id email }` (id for a's key, email for the later b fetch). With $b true, email is not fetched,
the representation for a is found incomplete and every user is left out: `name` (unconditional) is null, with no error.
The other way round fails too: `top { score ... @include(if: $b) { name } }` with $b false. b's root fetch is
`top{__typename email ...@include(if:$b){__typename id}}`, a's representation again `{__typename email id}`: with no id it is
left out, so `name` never reaches b's representation for score, and `score` is null for every user, with no error.
(Found in z2 seeds 823, 824, 861 and 862.)
Right today: $b false, the field form `score @skip(if: $b)`, without the fragment, without the @provides of id (b's
representation then has only email), and a PLAIN field of a third subgraph keyed by email only (c's tag). A @requires field
of that third subgraph (c's badge) fails like score: the fetch after a does not have to be b's.
"""

USERS = {"u1": ("a@x", "Ann", 1), "u2": ("b@x", None, 2), "u3": ("c@x", "Cy", None)}
BY_EMAIL = {d[0]: k for k, d in USERS.items()}
TOP = ["u3", "u1", "u2"]


def a_user(u):
    if u not in USERS:
        return None
    e, n, _ = USERS[u]
    return {"__typename": "User", "id": u, "email": e, "name": n}


def score(n):
    return None if n is None else len(n) * 11


def b_user(u, rep=None):
    e, n, k = USERS[u]
    out = {"__typename": "User", "email": e, "karma": k}
    if rep is None:
        out["id"] = u
    else:
        out["score"] = lambda a, i: score(rep["name"])
    return out


def c_user(rep):
    if rep["email"] not in BY_EMAIL:
        return None
    return {"email": rep["email"], "tag": "t-" + rep["email"], "badge": lambda a, i: "b-" + str(rep["name"])}


RESOLVERS = {
    "c": {"User": {"__resolveReference": lambda rep, i: c_user(rep)}},
    "a": {"Query": {"users": lambda _, a, i: [a_user(u) for u in USERS]},
          "User": {"__resolveReference": lambda rep, i: a_user(rep["id"] if "id" in rep else BY_EMAIL.get(rep["email"]))}},
    "b": {"Query": {"top": lambda _, a, i: [b_user(u) for u in TOP]},
          "User": {"__resolveReference": lambda rep, i: b_user(BY_EMAIL[rep["email"]], rep) if rep["email"] in BY_EMAIL else None}},
}

MONOLITH_SDL = """
type User { id: ID! email: String! name: String karma: Int score: Int badge: String tag: String }
type Query { users: [User] top: [User] }
"""


def m_user(u):
    e, n, k = USERS[u]
    return {"id": u, "email": e, "name": n, "karma": k, "score": score(n), "badge": "b-" + str(n), "tag": "t-" + e}


MONOLITH = {"Query": {"users": lambda _, a, i: [m_user(u) for u in USERS], "top": lambda _, a, i: [m_user(u) for u in TOP]}}

TESTS = [
    ("skipped fragment with a @requires field must not take the unconditional name with it",
     'query($b: Boolean!) { top { name ... @skip(if: $b) { score } } }', {"b": True}),
    ("@include form", 'query($b: Boolean!) { top { name ... @include(if: $b) { score } } }', {"b": False}),
    ("with b's own field beside it", 'query($b: Boolean!) { top { karma name ... on User @skip(if: $b) { score } } }', {"b": True}),
    ("the other way round: the unconditional @requires field loses its input (a's name, fetched with the conditional id)",
     'query($b: Boolean!) { top { score ... @include(if: $b) { name } } }', {"b": False}),
    ("a @requires field of a THIRD subgraph keyed by email (c's badge) fails the same way",
     'query($b: Boolean!) { top { name ... @skip(if: $b) { badge } } }', {"b": True}),
    ("(right today) a plain field of that third subgraph (c's tag)", 'query($b: Boolean!) { top { name ... @skip(if: $b) { tag } } }', {"b": True}),
    ("(right today) condition the other way", 'query($b: Boolean!) { top { name ... @skip(if: $b) { score } } }', {"b": False}),
    ("(right today) field form", 'query($b: Boolean!) { top { name score @skip(if: $b) } }', {"b": True}),
    ("(right today) without the fragment", '{ top { name } }'),
    ("(right today) the same from a's root field (no provided key)", 'query($b: Boolean!) { users { name ... @skip(if: $b) { score } } }', {"b": True}),
]
