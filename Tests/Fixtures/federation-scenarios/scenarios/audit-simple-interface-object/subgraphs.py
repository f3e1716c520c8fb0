"""After the federation gateway audit's `simple-interface-object` suite (the-guild-org/graphql-federation-gateway-audit).

a owns the entity interfaces NodeWithName (User) and Account (Admin, Regular); b adds username and
name to them as @interfaceObject types and serves Query.anotherUsers / Query.accounts; c adds
Account.isActive (shareable with Admin.isActive in a, but answering false). b and c deliberately
return a wrong __typename ("Never", "User") that the gateway must not use."""

USERS = [
    {"id": "u1", "name": "u1-name", "username": "u1-username", "age": 11},
    {"id": "u2", "name": "u2-name", "username": "u2-username", "age": 22},
]

ACCOUNTS = [
    {"__typename": "Admin", "id": "u1", "name": "Alice", "isMain": False, "isActive": True},
    {"__typename": "Admin", "id": "u2", "name": "Bob", "isMain": True, "isActive": True},
    {"__typename": "Regular", "id": "u3", "name": "Charlie", "isMain": False, "isActive": True},
]


def find(items, id_):
    return next((x for x in items if x["id"] == id_), None)


# --- a
def a_user_ref(key, info):
    u = find(USERS, key["id"])
    return {"__typename": "User", "id": u["id"], "name": u["name"], "age": u["age"]} if u else None


def a_account_ref(key, info):
    a = find(ACCOUNTS, key["id"])
    return {"__typename": a["__typename"], "id": a["id"], "isActive": a["isActive"]} if a else None


def a_admin_ref(key, info):
    a = find(ACCOUNTS, key["id"])
    if not a or a["__typename"] != "Admin":
        return None
    return {"__typename": a["__typename"], "id": a["id"], "isMain": a["isMain"], "isActive": a["isActive"]}


def a_regular_ref(key, info):
    a = find(ACCOUNTS, key["id"])
    if not a:
        return None
    return {"__typename": a["__typename"], "id": a["id"], "isMain": a["isMain"], "isActive": a["isActive"]}


def is_main(admin, args, info):
    if isinstance(admin.get("isMain"), bool):
        return admin["isMain"]
    a = find(ACCOUNTS, admin["id"])
    return a["isMain"] if a else None


# --- b
def b_node_ref(key, info):
    u = find(USERS, key["id"])
    return {"__typename": "User", "id": u["id"], "username": u["username"]} if u else None


def b_username(node, args, info):
    u = find(USERS, node["id"])
    return u["username"] if u else None


def never_account_ref(key, info):
    a = find(ACCOUNTS, key["id"])
    # the audit deliberately returns a wrong __typename here to make sure it's not used by the gateway
    return {"__typename": "Never", "id": a["id"]} if a else None


def b_name(account, args, info):
    a = find(ACCOUNTS, account["id"])
    return a["name"] if a else None


RESOLVERS = {
    "a": {
        "Query": {"users": lambda parent, args, info: [
            {"__typename": "User", "id": u["id"], "name": u["name"], "age": u["age"]} for u in USERS]},
        "NodeWithName": {"__resolveReference": a_user_ref},
        "User": {"__resolveReference": a_user_ref},
        "Account": {"__resolveReference": a_account_ref},
        "Admin": {"__resolveReference": a_admin_ref, "isMain": is_main},
        "Regular": {"__resolveReference": a_regular_ref, "isMain": is_main},
    },
    "b": {
        "Query": {
            "anotherUsers": lambda parent, args, info: [
                {"__typename": "User", "id": u["id"], "username": u["username"]} for u in USERS],
            "accounts": lambda parent, args, info: [{"__typename": "Never", "id": a["id"]} for a in ACCOUNTS],
        },
        "NodeWithName": {"__resolveReference": b_node_ref, "username": b_username},
        "Account": {"__resolveReference": never_account_ref, "name": b_name},
    },
    "c": {
        "Account": {"__resolveReference": never_account_ref, "isActive": lambda account, args, info: False},
    },
}
