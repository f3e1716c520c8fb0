"""A client field aliased `__typename` that is not `__typename` (`__typename: stores { … }`) is asked
of its subgraph as `__typename__sy` (SelectionTree.subgraphKey). The planner took that alias for
one of its own (it is no client response key), and the paths under it for its own fields: a key
field it needs under it (`region` of Store) was not moved out of the way of the client's
`region: name` — the subgraph refused `{__typename__sy:stores{region code region:name}}` and the
answer was `data: null` —, and a key the subgraph answers under the client's alias (`isbn` of
Offer, the client's `isbn: qty`) was read into the client's Int field. Found by differential
fuzzing against one graphql-core server (probe 33A); the expected data is that server's."""

STORES = [("eu", "s1", "Paris"), ("us", "s1", "NYC")]
OFFERS = {("eu", "s1"): [("i1", 3)], ("us", "s1"): [("i1", 7), ("i5", 4)]}


def store(r, c):
    return {"__typename": "Store", "region": r, "code": c, "name": dict(((a, b), n) for a, b, n in STORES)[(r, c)],
            "offers": [{"__typename": "Offer", "isbn": i, "qty": q, "store": {"region": r, "code": c}} for i, q in OFFERS[(r, c)]]}


RESOLVERS = {
    "inventory": {
        "Query": {"stores": lambda p, a, i: [store(r, c) for r, c, n in STORES]},
        "Store": {"__resolveReference": lambda rep, info: store(rep["region"], rep["code"])},
    },
    "shipping": {
        "Store": {"__resolveReference": lambda rep, info: {**rep, "zones": [1, 2] if rep["region"] == "eu" else [1, 3]}},
        "Offer": {"__resolveReference": lambda rep, info: {**rep, "deliveryDays": len(rep["isbn"])}},
    },
}
