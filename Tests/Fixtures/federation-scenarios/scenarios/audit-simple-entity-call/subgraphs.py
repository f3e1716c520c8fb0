"""After the federation gateway audit's `simple-entity-call` suite (the-guild-org/graphql-federation-gateway-audit).

email keys User by id; nickname keys it by email (external there), so nickname needs email first."""

USERS = [
    {"id": "1", "email": "user1@gmail.com", "nickname": "user1"},
    {"id": "2", "email": "user2@gmail.com", "nickname": "user2"},
]


def email_ref(key, info):
    u = next((u for u in USERS if u["id"] == key["id"]), None)
    return {"id": u["id"], "email": u["email"]} if u else None


def nickname_ref(key, info):
    u = next((u for u in USERS if u["email"] == key["email"]), None)
    return {"nickname": u["nickname"]} if u else None


RESOLVERS = {
    "email": {
        "Query": {"user": lambda parent, args, info: {"id": USERS[0]["id"], "email": USERS[0]["email"]}},
        "User": {"__resolveReference": email_ref},
    },
    "nickname": {"User": {"__resolveReference": nickname_ref}},
}
