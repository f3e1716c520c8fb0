"""After the federation gateway audit's `fed2-external-extends` suite (the-guild-org/graphql-federation-gateway-audit).

a only knows User's `rid` (id and name are @external there; `providedRandomUser` @provides the
name); b owns User with name and nickname. The users are the audit's data.ts."""

USERS = [
    {"id": "u1", "rid": "u1-rid", "name": "u1-name", "nickname": "u1-nickname"},
    {"id": "u2", "rid": "u2-rid", "name": "u2-name", "nickname": "u2-nickname"},
]


def find(id_):
    return next((u for u in USERS if u["id"] == id_), None)


def a_ref(key, info):
    user = find(key["id"])
    if not user:
        return None
    return {"id": user["id"], "rid": user["rid"]}


def b_ref(key, info):
    user = find(key["id"])
    if not user:
        return None
    return {"id": user["id"], "name": user["name"], "nickname": user["nickname"]}


def user_by_id(parent, args, info):
    user = find(args.get("id"))
    if not user:
        return None
    return {"id": user["id"], "name": user["name"], "nickname": user["nickname"]}


def a_name(user, args, info):
    name = user.get("name")
    return name if name is not None else "never"


RESOLVERS = {
    "a": {
        "Query": {
            "randomUser": lambda parent, args, info: {"id": USERS[0]["id"], "rid": USERS[0]["rid"]},
            "providedRandomUser": lambda parent, args, info: {
                "id": USERS[0]["id"], "rid": USERS[0]["rid"], "name": USERS[0]["name"]},
        },
        "User": {"__resolveReference": a_ref, "name": a_name},
    },
    "b": {
        "Query": {"userById": user_by_id},
        "User": {"__resolveReference": b_ref},
    },
}
