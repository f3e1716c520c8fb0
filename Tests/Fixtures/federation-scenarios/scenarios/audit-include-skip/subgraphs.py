"""After the federation gateway audit's `include-skip` suite (the-guild-org/graphql-federation-gateway-audit).

a has Product.price; b's isExpensive @requires price; c's include/skip/neverCalled* fields
@require isExpensive. The neverCalled* resolvers raise: a field dropped by @include(if: false) or
@skip(if: true) must never be fetched (nor the @requires chain it would need)."""

PRODUCTS = [{"id": "p1", "price": 699.99}]


def find(id_):
    return next((p for p in PRODUCTS if p["id"] == id_), None)


def a_ref(key, info):
    p = find(key["id"])
    return {"id": p["id"], "price": p["price"]} if p else None


def b_ref(key, info):
    p = find(key["id"])
    if not p:
        return None
    if "price" in key:
        return {"id": p["id"], "price": key["price"]}
    return {"id": p["id"]}


def is_expensive(product, args, info):
    if not product.get("price"):
        raise Exception("Price is missing")
    return product["price"] > 500


def c_ref(key, info):
    p = find(key["id"])
    if not p:
        return None
    if "isExpensive" in key:
        return {"id": p["id"], "isExpensive": key["isExpensive"]}
    return {"id": p["id"]}


def needs_is_expensive(product, args, info):
    if not isinstance(product.get("isExpensive"), bool):
        raise Exception("isExpensive is missing")
    return True


def never(name):
    def fn(product, args, info):
        raise Exception(f"{name} should not be called")
    return fn


RESOLVERS = {
    "a": {
        "Query": {"product": lambda parent, args, info: {"id": PRODUCTS[0]["id"], "price": PRODUCTS[0]["price"]}},
        "Product": {"__resolveReference": a_ref},
    },
    "b": {"Product": {"__resolveReference": b_ref, "isExpensive": is_expensive}},
    "c": {
        "Product": {
            "__resolveReference": c_ref,
            "include": needs_is_expensive,
            "skip": needs_is_expensive,
            "neverCalledInclude": never("neverCalledInclude"),
            "neverCalledSkip": never("neverCalledSkip"),
        },
    },
}
