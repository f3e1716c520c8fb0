"""After the federation gateway audit's `mutations` suite (the-guild-org/graphql-federation-gateway-audit).

The three subgraphs share one store (the audit's data.ts, which is not in the stored copy of the
audit: rebuilt here from its use): a product list, where resolving a Product reference in a or
b deletes the product (so b must be asked once per product, isExpensive and isAvailable
together), and a number per requestId that c's add, a's multiply and b's delete change in turn
(so the mutation root fields must run in document order)."""
import threading

LOCK = threading.Lock()
PRODUCTS = []
NUMBERS = {}


def get_products():
    with LOCK:
        return [dict(p) for p in PRODUCTS]


def init_products():
    with LOCK:
        if not any(p["id"] == "p1" for p in PRODUCTS):
            PRODUCTS.append({"id": "p1", "name": "p1-name", "price": 9.99})


def add_product(name, price):
    with LOCK:
        p = {"id": f"p-added-{len(PRODUCTS)}", "name": name, "price": price}
        PRODUCTS.append(p)
        return dict(p)


def delete_product(id_):
    with LOCK:
        PRODUCTS[:] = [p for p in PRODUCTS if p["id"] != id_]


def add_number(num, request_id):
    with LOCK:
        NUMBERS[request_id] = NUMBERS.get(request_id, 0) + num
        return NUMBERS[request_id]


def multiply_number(by, request_id):
    with LOCK:
        NUMBERS[request_id] = NUMBERS.get(request_id, 0) * by
        return NUMBERS[request_id]


def delete_number(request_id):
    with LOCK:
        return NUMBERS.pop(request_id, 0)


def a_product(parent, args, info):
    init_products()
    p = next((p for p in get_products() if p["id"] == args["id"]), None)
    return {"id": p["id"], "name": p["name"], "price": p["price"]} if p else None


def a_products(parent, args, info):
    init_products()
    return get_products()


def a_ref(key, info):
    p = next((p for p in get_products() if p["id"] == key["id"]), None)
    if not p:
        return None
    delete_product(p["id"])
    return {"id": p["id"], "name": p["name"], "price": p["price"]}


def b_ref(key, info):
    p = next((p for p in get_products() if p["id"] == key["id"]), None)
    if not p:
        return None
    delete_product(p["id"])
    if isinstance(p.get("price"), (int, float)):
        return {"id": p["id"], "isAvailable": True, "price": p["price"]}
    return {"id": p["id"], "isAvailable": False}


def is_expensive(product, args, info):
    if not isinstance(product.get("price"), (int, float)):
        raise Exception("Price is not available")
    return product["price"] > 100


RESOLVERS = {
    "a": {
        "Query": {"product": a_product, "products": a_products},
        "Mutation": {
            "multiply": lambda parent, args, info: multiply_number(args["by"], args["requestId"]),
            "addProduct": lambda parent, args, info: add_product(args["input"]["name"], args["input"]["price"]),
        },
        "Product": {"__resolveReference": a_ref},
    },
    "b": {
        "Mutation": {"delete": lambda parent, args, info: delete_number(args["requestId"])},
        "Product": {"__resolveReference": b_ref, "isExpensive": is_expensive},
    },
    "c": {
        "Mutation": {"add": lambda parent, args, info: add_number(args["num"], args["requestId"])},
    },
}
