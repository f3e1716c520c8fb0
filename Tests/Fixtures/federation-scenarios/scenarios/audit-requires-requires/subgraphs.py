"""After the federation gateway audit's `requires-requires` suite (the-guild-org/graphql-federation-gateway-audit).

d's canAfford requires c's isExpensive, which requires a's (inaccessible) price; d's
canAffordWithDiscount requires c's isExpensiveWithDiscount, which requires b's hasDiscount."""

PRODUCTS = [{"id": "p1", "price": 699.99, "hasDiscount": True}]


def find(id_):
    return next((p for p in PRODUCTS if p["id"] == id_), None)


def a_ref(key, info):
    p = find(key["id"])
    return {"id": p["id"], "price": p["price"]} if p else None


def b_ref(key, info):
    p = find(key["id"])
    return {"id": p["id"], "hasDiscount": p["hasDiscount"]} if p else None


def c_ref(key, info):
    p = find(key["id"])
    if not p:
        return None
    if "price" in key and "hasDiscount" in key:
        return {"id": p["id"], "price": key["price"], "isExpensive": key["price"] > 500,
                "hasDiscount": key["hasDiscount"], "isExpensiveWithDiscount": not key["hasDiscount"]}
    if "price" in key:
        return {"id": p["id"], "price": key["price"], "isExpensive": key["price"] > 500}
    if "hasDiscount" in key:
        return {"id": p["id"], "hasDiscount": key["hasDiscount"], "isExpensiveWithDiscount": not key["hasDiscount"]}
    return {"id": p["id"]}


def d_ref(key, info):
    p = find(key["id"])
    if not p:
        return None
    if "isExpensive" in key and "isExpensiveWithDiscount" in key:
        return {"id": p["id"], "isExpensive": key["isExpensive"], "canAfford": not key["isExpensive"],
                "isExpensiveWithDiscount": key["isExpensiveWithDiscount"],
                "canAffordWithDiscount": not key["isExpensiveWithDiscount"]}
    if "isExpensive" in key:
        return {"id": p["id"], "isExpensive": key["isExpensive"], "canAfford": not key["isExpensive"]}
    if "isExpensiveWithDiscount" in key:
        return {"id": p["id"], "isExpensiveWithDiscount": key["isExpensiveWithDiscount"],
                "canAffordWithDiscount": not key["isExpensiveWithDiscount"]}
    return {"id": p["id"]}


RESOLVERS = {
    "a": {"Product": {"__resolveReference": a_ref}},
    "b": {
        "Query": {"product": lambda parent, args, info: {"id": PRODUCTS[0]["id"], "hasDiscount": PRODUCTS[0]["hasDiscount"]}},
        "Product": {"__resolveReference": b_ref},
    },
    "c": {"Product": {"__resolveReference": c_ref}},
    "d": {"Product": {"__resolveReference": d_ref}},
}
