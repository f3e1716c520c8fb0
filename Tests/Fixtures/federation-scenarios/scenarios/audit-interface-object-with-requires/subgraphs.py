"""After the federation gateway audit's `interface-object-with-requires` suite (the-guild-org/graphql-federation-gateway-audit).

a owns the entity interface NodeWithName (implemented by User, with age); b has NodeWithName as an
@interfaceObject whose username @requires the interface's name from a. b's username resolver
raises when the name was not sent in the representation."""

USERS = [
    {"id": "u1", "name": "u1-name", "username": "u1-username", "age": 11},
    {"id": "u2", "name": "u2-name", "username": "u2-username", "age": 22},
]


def find(id_):
    return next((u for u in USERS if u["id"] == id_), None)


def a_user(u):
    return {"__typename": "User", "id": u["id"], "name": u["name"], "age": u["age"]}


def a_ref(key, info):
    u = find(key["id"])
    return a_user(u) if u else None


def b_ref(key, info):
    u = find(key["id"])
    if not u:
        return None
    return {"__typename": "User", "id": u["id"], "name": key["name"] if "name" in key else None}


def username(node, args, info):
    u = find(node["id"])
    if not u:
        return None
    if not node.get("name"):
        raise Exception("Requires field 'name' not provided")
    return u["username"]


RESOLVERS = {
    "a": {
        "Query": {"users": lambda parent, args, info: [a_user(u) for u in USERS]},
        "NodeWithName": {"__resolveReference": a_ref},
        "User": {"__resolveReference": a_ref},
    },
    "b": {
        "Query": {"anotherUsers": lambda parent, args, info: [
            {"__typename": "User", "id": u["id"], "username": u["username"]} for u in USERS]},
        "NodeWithName": {"__resolveReference": b_ref, "username": username},
    },
}
