"""A subgraph's error at a field the planner fetched only as a `@requires` input (`shippingCost`,
which the client did not select) was reported at that field's path (`products.1.shippingCost`),
which names no field of the response. It is now reported at the deepest field the client did
select on that path (the product, `products.1`, located at `products`), as a path must name a
field of the response (GraphQL §7.1.2). Selected by the client too, it stays at its own path."""
PRICES = {"p1": 100, "p2": 30, "p3": 70}


def shipping_cost(parent, args, info):
    if parent["id"] == "p2":
        raise Exception("no shipping for p2")
    return parent["price"] // 10


def value_score(parent, args, info):
    cost = parent.get("shippingCost")
    return None if cost is None else cost * 2


RESOLVERS = {
    "products": {"Query": {"products": lambda _, a, i: [{"__typename": "Product", "id": k, "price": v} for k, v in PRICES.items()]}},
    "inventory": {"Product": {"shippingCost": shipping_cost}},
    "reviews": {"Product": {"valueScore": value_score}},
}
