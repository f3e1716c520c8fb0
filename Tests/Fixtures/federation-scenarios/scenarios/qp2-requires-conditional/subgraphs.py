"""Graph of Apollo's 'handles a simple @requires triggered within a conditional'; data ours."""
RESOLVERS = {
  "Subgraph1": {"Query": {"t": lambda p, a, i: {"id": "t1", "a": 4}}, "T": {"__resolveReference": lambda r, i: {"id": r["id"], "a": 4}}},
  "Subgraph2": {"T": {"b": lambda p, a, i: p["a"] + 1}},
}
