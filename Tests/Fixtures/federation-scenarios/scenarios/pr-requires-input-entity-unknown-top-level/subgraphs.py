"""Found by a differential probe (round 9C, case 83). `shipping @requires(fields: "price weight")`, both
inputs nullable and resolved by `prices`, which does not know product p2 (its `_entities` answer is
null). The gateway left p2 out of ship's fetch altogether, so ship's plain field `note` came back null
for it, with no error. A nullable input no answer gave is written as null, as Apollo's router does
(only a missing non-null input keeps a representation out): p2 gets `note`, and `shipping` from what
the subgraph computes with nulls (null here). Case 30 (`pr-requires-input-unknown-entity-null`) is the
same inside an input's nested objects."""

PRICES = {"p1": (10, 2), "p3": (7, None)}


def shipping(rep):
    if rep.get("price") is None:
        return None
    return rep["price"] + (rep.get("weight") or 0)


RESOLVERS = {
    "base": {"Query": {"products": lambda _, a, i: [{"__typename": "Product", "id": p} for p in ["p1", "p2", "p3"]]},
             "Product": {"__resolveReference": lambda rep, i: {"id": rep["id"]}}},
    "prices": {"Product": {"__resolveReference": lambda rep, i: {"id": rep["id"], "price": PRICES[rep["id"]][0], "weight": PRICES[rep["id"]][1]}
                           if rep["id"] in PRICES else None}},
    "ship": {"Product": {"__resolveReference": lambda rep, i: {"id": rep["id"], "note": "n-" + rep["id"],
                                                              "shipping": lambda a, i: shipping(rep)}}},
}
