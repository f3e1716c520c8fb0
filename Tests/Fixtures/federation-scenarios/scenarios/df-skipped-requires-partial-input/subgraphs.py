"""A `@requires` whose input goes through another subgraph's entity (`total @requires(fields:
"lines { qty item { basePrice weight } }")`), its field skipped by a variable: the fetch of
`catalog` was skipped with it, and the representation sent to `pricing` for the unskipped
`discount` carried the input as far as the buffer had it — `basePrice` (non-null) missing,
`weight` null for a value of 1. An input no asked field needs is now left out of the
representation (the key alone), as in the fragment form. The pricing subgraph refuses a
representation whose input is partial, as a subgraph reading it in its entity resolver would."""
LINES = [(2, "i1"), (5, "i2")]
ITEMS = {"i1": (100, 1), "i2": (30, 1)}


def order_ref(rep, info):
    if "lines" in rep:
        for line in rep["lines"]:
            item = line.get("item") or {}
            if not isinstance(item.get("basePrice"), int) or item.get("weight") is None:
                raise ValueError("partial @requires input: %r" % (line,))
        total = sum(l["qty"] * l["item"]["basePrice"] for l in rep["lines"])
    else:
        total = None
    return {"id": rep["id"], "total": total, "discount": 5}


RESOLVERS = {
    "orders": {
        "Query": {"order": lambda _, a, i: {"id": "o1", "lines": [{"qty": q, "item": {"__typename": "Item", "id": it}} for q, it in LINES]}},
        "Order": {"__resolveReference": lambda rep, i: {"id": rep["id"], "lines": [{"qty": q, "item": {"__typename": "Item", "id": it}} for q, it in LINES]}},
    },
    "catalog": {
        "Item": {"__resolveReference": lambda rep, i: {"id": rep["id"], "basePrice": ITEMS[rep["id"]][0], "weight": ITEMS[rep["id"]][1]}},
    },
    "pricing": {
        "Order": {"__resolveReference": order_ref},
    },
}
