"""After the federation gateway audit's `enum-intersection` suite (the-guild-org/graphql-federation-gateway-audit).

a's `enum UserType { REGULAR }`, b's `enum UserType { ANONYMOUS @inaccessible REGULAR }`; user u2
has the type ANONYMOUS, which a cannot serialize (a field error in a) and which b returns but
the supergraph must not show (the value is @inaccessible)."""

USERS = [{"id": "u1", "type": "REGULAR"}, {"id": "u2", "type": "ANONYMOUS"}]


def user_ref(key, info):
    u = next((u for u in USERS if u["id"] == key["id"]), None)
    return {"id": u["id"], "type": u["type"]} if u else None


RESOLVERS = {
    "a": {
        "Query": {"users": lambda parent, args, info: [dict(u) for u in USERS]},
        "User": {"__resolveReference": user_ref},
    },
    "b": {
        "Query": {
            "usersByType": lambda parent, args, info: [dict(u) for u in USERS if u["type"] == args["type"]],
            "usersB": lambda parent, args, info: [dict(u) for u in USERS],
        },
        "User": {"__resolveReference": user_ref},
    },
}
