"""After the federation gateway audit's `override-with-requires` suite (the-guild-org/graphql-federation-gateway-audit).

b owns User.name by @override(from: "c"); a and c see name as @external and @require it for aName
and cName. a's and c's own `name` resolvers answer "NEVER"."""

USERS = [
    {"id": "u1", "name": "u1-name"},
    {"id": "u2", "name": "u2-name"},
    {"id": "u3", "name": "u3-name"},
]


def find(id_):
    return next((u for u in USERS if u["id"] == id_), None)


def requiring_ref(key, info):
    user = find(key["id"])
    if user is None:
        return None
    if "name" in key:
        return {"id": user["id"], "name": user["name"]}
    return {"id": user["id"]}


def b_ref(key, info):
    user = find(key["id"])
    return {"id": user["id"], "name": user["name"]} if user else None


RESOLVERS = {
    "a": {
        "Query": {"userInA": lambda parent, args, info: dict(USERS[0])},
        "User": {
            "__resolveReference": requiring_ref,
            "aName": lambda user, args, info: f"a__{user.get('name')}",
            "name": lambda user, args, info: "NEVER",
        },
    },
    "b": {
        "Query": {"userInB": lambda parent, args, info: dict(USERS[1])},
        "User": {"__resolveReference": b_ref},
    },
    "c": {
        "Query": {"userInC": lambda parent, args, info: dict(USERS[2])},
        "User": {
            "__resolveReference": requiring_ref,
            "name": lambda user, args, info: "NEVER",
            "cName": lambda user, args, info: f"c__{user.get('name')}",
        },
    },
}
