"""Graph of Apollo's buildPlan.defer test '@provides are ignored for deferred fields'; data ours."""
RESOLVERS = {
  "Subgraph1": {"Query": {"t": lambda p, a, i: {"id": "t1", "v1": 1, "v2": 2}}},
  "Subgraph2": {"T": {"__resolveReference": lambda r, i: {"id": r["id"], "v2": 2}}},
}
