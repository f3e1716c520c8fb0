"""After the federation gateway audit's `child-type-mismatch` suite (the-guild-org/graphql-federation-gateway-audit).

a has a value type `User { id: ID @shareable }` (nullable id) with Query.users; b has the entity
`User @key(fields: "id") { id: ID! ... }` (non-null id), a value type Admin and the union
`Account = User | Admin` with Query.accounts; similarAccounts nests the union again."""

USERS = [{"id": "u1", "name": "u1-name"}]


def accounts(*_):
    return [{"__typename": "User", **u} for u in USERS] + [{"__typename": "Admin", "id": "a1", "name": "a1-name"}]


def user_ref(key, info):
    u = next((u for u in USERS if u["id"] == key["id"]), None)
    return dict(u) if u else None


RESOLVERS = {
    "a": {
        "Query": {"users": lambda parent, args, info: [{"__typename": "User", "id": u["id"]} for u in USERS]},
    },
    "b": {
        "Query": {"accounts": accounts},
        "User": {"__resolveReference": user_ref, "similarAccounts": accounts},
        "Admin": {"similarAccounts": accounts},
    },
}
