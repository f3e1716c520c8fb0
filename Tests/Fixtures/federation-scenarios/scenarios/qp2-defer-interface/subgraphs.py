"""Graph of Apollo's buildPlan.defer test 'defer when some interface has different definitions in different
subgraphs'; type S, `is` and data ours."""
OBJS = {"t1": {"__typename": "T", "id": "t1", "a": 1, "c": 3}, "s1": {"__typename": "S", "id": "s1", "a": 5, "c": 7}}
def b_of_t(p, a, i):
    return p["a"] * 100
RESOLVERS = {
  "Subgraph1": {"Query": {"i": lambda p, a, i: dict(OBJS["t1"]), "is": lambda p, a, i: [dict(OBJS["t1"]), dict(OBJS["s1"]), None]},
                "T": {"__resolveReference": lambda r, i: dict(OBJS[r["id"]])},
                "S": {"__resolveReference": lambda r, i: dict(OBJS[r["id"]])}},
  "Subgraph2": {"T": {"b": b_of_t}, "S": {"__resolveReference": lambda r, i: {"id": r["id"], "b": 9}}},
}
