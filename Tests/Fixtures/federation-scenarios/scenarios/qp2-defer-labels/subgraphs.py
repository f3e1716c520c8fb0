"""Graph of Apollo's buildPlan.defer test 'multiple (non-nested) @defer + label handling'; data ours."""
T = {"t1": {"id": "t1", "v0": "zero", "v1": "one"}}
T2 = {"t1": {"v2": "two", "v3": {"id": "u1"}}}
U = {"u1": {"x": 10, "y": 20}}
RESOLVERS = {
  "Subgraph1": {"Query": {"t": lambda p, a, i: dict(T["t1"])},
                "T": {"__resolveReference": lambda r, i: dict(T[r["id"]])}},
  "Subgraph2": {"T": {"__resolveReference": lambda r, i: {"id": r["id"], **T2[r["id"]]}}},
  "Subgraph3": {"U": {"__resolveReference": lambda r, i: {"id": r["id"], **U[r["id"]]}}},
}
