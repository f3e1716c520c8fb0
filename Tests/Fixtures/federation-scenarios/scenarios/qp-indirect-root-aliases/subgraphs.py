"""Apollo 'avoid considering indirect paths from the root when a more direct one exists' (v1's argument x ours: v1 = 100 + x, no x: 100)."""
RESOLVERS = {
    "Subgraph1": {"Query": {"t": lambda p, a, i: {"id": "t1", "v0": 7}},
                  "T": {"__resolveReference": lambda rep, info: {"id": rep["id"], "v0": 7}}},
    "Subgraph2": {"Query": {"t": lambda p, a, i: {"id": "t1", "v0": 7}},
                  "T": {"__resolveReference": lambda rep, info: {"id": rep["id"], "v0": 7},
                        "v1": lambda p, a, i: 100 + (a.get("x") or 0)}},
}
