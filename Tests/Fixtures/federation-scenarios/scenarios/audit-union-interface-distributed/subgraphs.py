"""After the federation gateway audit's `union-interface-distributed` suite (the-guild-org/graphql-federation-gateway-audit).

Oven implements Node only in b (where it also has warranty); in a, Oven is not a Node, so a's
Query.node answering an Oven is an error in a."""

OVENS = [
    {"__typename": "Oven", "id": "oven1", "warranty": 1},
    {"__typename": "Oven", "id": "oven2", "warranty": 2},
]
TOASTERS = [
    {"__typename": "Toaster", "id": "toaster1", "warranty": 3},
    {"__typename": "Toaster", "id": "toaster2", "warranty": 4},
]
PRODUCTS = OVENS + TOASTERS


def find(id_):
    return next((p for p in PRODUCTS if p["id"] == id_), None)


def shape(p):
    if p["__typename"] == "Oven":
        return {"__typename": "Oven", "id": p["id"]}
    return {"__typename": "Toaster", "id": p["id"], "warranty": p["warranty"]}


def a_node(parent, args, info):
    p = find(args["id"])
    return shape(p) if p else None


def a_oven_ref(key, info):
    p = find(key["id"])
    return {"__typename": "Oven", "id": p["id"]} if p and p["__typename"] == "Oven" else None


def a_toaster_ref(key, info):
    p = find(key["id"])
    if p and p["__typename"] == "Toaster":
        return {"__typename": "Toaster", "id": p["id"], "warranty": p["warranty"]}
    return None


def b_oven_ref(key, info):
    p = find(key["id"])
    return {"__typename": "Oven", "id": p["id"], "warranty": 1} if p and p["__typename"] == "Oven" else None


RESOLVERS = {
    "a": {
        "Query": {
            "products": lambda parent, args, info: [shape(p) for p in PRODUCTS],
            "node": a_node,
            "toasters": lambda parent, args, info: [shape(p) for p in TOASTERS],
            "nodes": lambda parent, args, info: [shape(p) for p in TOASTERS],
        },
        "Oven": {"__resolveReference": a_oven_ref},
        "Toaster": {"__resolveReference": a_toaster_ref},
    },
    "b": {"Oven": {"__resolveReference": b_oven_ref}},
}
