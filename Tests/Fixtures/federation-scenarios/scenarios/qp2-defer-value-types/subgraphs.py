"""Graphs of Apollo's buildPlan.defer tests 'non-router-based-defer' (value types), merged; `ts` is ours."""
V = {"t1": {"a": 1, "b": 2, "u": {"id": "u1"}}, "t2": {"a": 5, "b": 6, "u": None}, "t3": None}
RESOLVERS = {
  "Subgraph1": {"Query": {"t": lambda p, a, i: {"id": "t1"}, "ts": lambda p, a, i: [{"id": "t1"}, {"id": "t2"}, {"id": "t3"}]},
                "U": {"__resolveReference": lambda r, i: {"id": r["id"], "x": 100}}},
  "Subgraph2": {"T": {"__resolveReference": lambda r, i: {"id": r["id"], "v": V[r["id"]]}}},
}
