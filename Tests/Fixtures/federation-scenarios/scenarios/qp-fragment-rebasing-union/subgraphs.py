"""Apollo 'handles fragment rebasing in a subgraph where some union membership relation differs'."""
RESOLVERS = {
    "s1": {"Outer": {"__resolveReference": lambda rep, info: {"id": rep["id"], "v": int(rep["id"][1:])}}},
    "s2": {"Query": {"outer1": lambda p, a, i: {"id": "o1", "w": 10, "inner": {"v": 100, "w": 1000}},
                     "outer2": lambda p, a, i: {"id": "o2", "w": 20, "inner": {"v": 200, "w": 2000}}}},
}
