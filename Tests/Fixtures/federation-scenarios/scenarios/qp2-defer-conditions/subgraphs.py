"""Graph of Apollo's buildPlan.defer test 'multiple @defer with conditions and labels'; data ours."""
T = {"id": "t1", "x": 1, "u": {"id": "u1", "a": 3}}
RESOLVERS = {
  "Subgraph1": {"Query": {"t": lambda p, a, i: dict(T)},
                "T": {"__resolveReference": lambda r, i: dict(T)},
                "U": {"__resolveReference": lambda r, i: {"id": r["id"], "a": 3}}},
  "Subgraph2": {"T": {"__resolveReference": lambda r, i: {"id": r["id"], "y": 2}}},
  "Subgraph3": {"U": {"__resolveReference": lambda r, i: {"id": r["id"], "b": 4}}},
}
