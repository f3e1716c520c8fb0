"""Graph of Apollo's buildPlan.defer test '@defer on entity but with no @key'; data ours."""
RESOLVERS = {
  "Subgraph1": {"Query": {"t": lambda p, a, i: {"id": "t1", "v1": "one"}}},
  "Subgraph2": {"T": {"__resolveReference": lambda r, i: {"id": r["id"], "v2": "two"}}},
}
