"""A subgraph whose root types have other names (`schema { query: ShopQuery mutation: ShopMutation }`):
composition merges roots by operation, so its fields are the supergraph's `Query` and `Mutation`
beside another subgraph's `Query`, and its entities join as any other (Apollo renames the roots
the same way)."""

NAMES = {"1": "Kettle", "2": "Teapot"}
PRICES = {"1": 30, "2": 45}

RESOLVERS = {
    "shop": {
        "ShopQuery": {"hello": lambda p, a, i: "hello from the shop",
                      "item": lambda p, a, i: {"id": a["id"], "name": NAMES[a["id"]]} if a["id"] in NAMES else None},
        "ShopMutation": {"rename": lambda p, a, i: {"id": a["id"], "name": a["name"]}},
        "Item": {"__resolveReference": lambda rep, i: {"id": rep["id"], "name": NAMES[rep["id"]]}},
    },
    "prices": {
        "Query": {"cheapest": lambda p, a, i: {"id": "1"}},
        "Item": {"__resolveReference": lambda rep, i: {"id": rep["id"]},
                 "price": lambda p, a, i: PRICES[p["id"]]},
    },
}
