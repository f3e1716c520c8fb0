"""After the federation gateway audit's `simple-inaccessible` suite (the-guild-org/graphql-federation-gateway-audit).

friends' User.friends has an @inaccessible argument `type` (whose default is the @inaccessible enum
value FAMILY), and User.type always answers the inaccessible value FAMILY."""

USERS = [
    {"id": "u1", "age": 11, "friends": ["u2"]},
    {"id": "u2", "age": 22, "friends": ["u1"]},
]


def find(id_):
    return next((u for u in USERS if u["id"] == id_), None)


def age_ref(key, info):
    u = find(key["id"])
    return {"id": u["id"], "age": u["age"]} if u else None


def friends_ref(key, info):
    u = find(key["id"])
    return {"id": u["id"], "friends": u["friends"]} if u else None


def friends(user, args, info):
    out = []
    for id_ in user["friends"]:
        f = find(id_)
        out.append({"id": f["id"], "friends": f["friends"]} if f else None)
    return out


RESOLVERS = {
    "age": {
        "Query": {"usersInAge": lambda parent, args, info: [{"id": u["id"], "age": u["age"]} for u in USERS]},
        "User": {"__resolveReference": age_ref},
    },
    "friends": {
        "Query": {"usersInFriends": lambda parent, args, info: [{"id": u["id"], "friends": u["friends"]} for u in USERS]},
        "User": {"__resolveReference": friends_ref, "friends": friends, "type": lambda user, args, info: "FAMILY"},
    },
}
