"""After the federation gateway audit's `input-object-intersection` suite (the-guild-org/graphql-federation-gateway-audit).

a's `input UsersFilter { first: Int! }` and b's `input UsersFilter { offset: Int first: Int! }`:
the supergraph's input type is the intersection (only `first`), so `offset` is invalid in both
usersInA and usersInB. The resolvers answer [] when they see an offset."""

USERS = [{"id": "u1", "name": "u1-name"}, {"id": "u2", "name": "u2-name"}]


def users_in(parent, args, info):
    if "offset" in args["filter"]:
        return []
    return [dict(u) for u in USERS]


def user_ref(key, info):
    u = next((u for u in USERS if u["id"] == key["id"]), None)
    return dict(u) if u else None


RESOLVERS = {
    "a": {
        "Query": {"usersInA": users_in},
        "User": {"__resolveReference": user_ref},
    },
    "b": {
        "Query": {"usersInB": users_in},
        "User": {"__resolveReference": user_ref},
    },
}
