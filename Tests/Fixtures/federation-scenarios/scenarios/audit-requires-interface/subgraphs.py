"""After the federation gateway audit's `requires-interface` suite (the-guild-org/graphql-federation-gateway-audit).

a's User.city requires `address { id }` and User.country requires `address { ... on WorkAddress { id } }`,
where address (an interface field) is external in a and resolved by b."""

USERS = [
    {"id": "u1", "name": "u1-name", "address": "a1"},
    {"id": "u2", "name": "u2-name", "address": "a2"},
]

ADDRESSES = [
    {"__typename": "HomeAddress", "id": "a1", "city": "a1-city", "country": "a1-country"},
    {"__typename": "WorkAddress", "id": "a2", "city": "a2-city", "country": "a2-country"},
]


def find_user(id_):
    return next((u for u in USERS if u["id"] == id_), None)


def find_address(id_):
    a = next((a for a in ADDRESSES if a["id"] == id_), None)
    return dict(a) if a else None


# --- a
def a_user_ref(key, info):
    user = find_user(key["id"])
    if not user:
        return None
    if (key.get("address") or {}).get("id"):
        return {"id": user["id"], "name": user["name"], "address": {"id": user["address"]}}
    return {"id": user["id"], "name": user["name"]}


def a_city(user, args, info):
    # TS: addresses.find((address) => address.id === user.address.id)?.city (throws without address)
    a = find_address(user["address"]["id"])
    return a["city"] if a else None


def a_country(user, args, info):
    a = find_address(((user or {}).get("address") or {}).get("id"))
    return a["country"] if a else None


# --- b
def b_b(parent, args, info):
    user = USERS[1]
    return {"id": user["id"], "name": user["name"], "address": user["address"]}


def b_user_ref(key, info):
    user = find_user(key["id"])
    return {"id": user["id"], "name": user["name"], "address": user["address"]} if user else None


def b_address(user, args, info):
    return find_address(user["address"])


def address_ref(key, info):
    return find_address(key["id"])


RESOLVERS = {
    "a": {
        "Query": {"a": lambda parent, args, info: {"id": USERS[0]["id"], "name": USERS[0]["name"]}},
        "User": {"__resolveReference": a_user_ref, "city": a_city, "country": a_country},
        "HomeAddress": {"__resolveReference": address_ref},
        "WorkAddress": {"__resolveReference": address_ref},
    },
    "b": {
        "Query": {"b": b_b},
        "User": {"__resolveReference": b_user_ref, "address": b_address},
        "HomeAddress": {"__resolveReference": address_ref},
        "WorkAddress": {"__resolveReference": address_ref},
    },
}
