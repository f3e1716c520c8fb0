"""Apollo 'handles fragment rebasing in a subgraph where some subtyping relation differs': Outer
implements I in s1 (and the supergraph) but not in s2."""
OUT = {"o1": {"v": 1, "w": 10, "inner": {"v": {"x": 100}, "w": 1000}}, "o2": {"v": 2, "w": 20, "inner": {"v": {"x": 200}, "w": 2000}}}

RESOLVERS = {
    "s1": {"Outer": {"__resolveReference": lambda rep, info: {"id": rep["id"], "v": {"x": OUT[rep["id"]]["v"]}}}},
    "s2": {"Query": {"outer1": lambda p, a, i: {"id": "o1", "w": 10, "inner": OUT["o1"]["inner"]},
                     "outer2": lambda p, a, i: {"id": "o2", "w": 20, "inner": OUT["o2"]["inner"]}}},
}
