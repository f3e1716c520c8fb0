"""After the federation gateway audit's `typename` suite (the-guild-org/graphql-federation-gateway-audit).

__typename (also aliased) on a union and an interface, and on an entity interface served by an
@interfaceObject root (b returns no __typename: the real type must come from a)."""

USERS = [
    {"__typename": "Admin", "id": "u1", "name": "Alice", "isMain": False},
    {"__typename": "Admin", "id": "u2", "name": "Bob", "isMain": True},
]


def find(id_):
    return next((u for u in USERS if u["id"] == id_), None)


def a_user_ref(key, info):
    u = find(key["id"])
    return {"__typename": u["__typename"], "id": u["id"]} if u else None


def a_admin_ref(key, info):
    u = find(key["id"])
    return {"__typename": u["__typename"], "id": u["id"], "isMain": u["isMain"]} if u else None


def b_user_ref(key, info):
    u = find(key["id"])
    # the audit deliberately returns no __typename: it should not be resolved by the @interfaceObject
    return {"id": u["id"]} if u else None


def b_name(user, args, info):
    u = find(user["id"])
    return u["name"] if u else None


RESOLVERS = {
    "a": {
        "Query": {"union": lambda parent, args, info: {"id": "1", "__typename": "Oven"},
                  "interface": lambda parent, args, info: {"id": "2", "__typename": "Toaster"}},
        "User": {"__resolveReference": a_user_ref},
        "Admin": {"__resolveReference": a_admin_ref},
    },
    "b": {
        "Query": {"users": lambda parent, args, info: [{"id": u["id"]} for u in USERS]},
        "User": {"__resolveReference": b_user_ref, "name": b_name},
    },
}
