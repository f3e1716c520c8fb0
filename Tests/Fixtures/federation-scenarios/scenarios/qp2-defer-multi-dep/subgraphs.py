"""Graph of Apollo's buildPlan.defer test 'multi-dependency deferred section'; data ours."""
RESOLVERS = {
  "Subgraph1": {"Query": {"t": lambda p, a, i: {"id0": "a", "v1": 1}}},
  "Subgraph2": {"T": {"__resolveReference": lambda r, i: {"id0": "a", "id1": "b", "v2": 2}}},
  "Subgraph3": {"T": {"__resolveReference": lambda r, i: {"id0": "a", "id2": "c", "v3": 3}}},
  "Subgraph4": {"T": {"__resolveReference": lambda r, i: {"id1": r["id1"], "id2": r["id2"], "v4": 4 if (r["id1"], r["id2"]) == ("b", "c") else -1}}},
}
