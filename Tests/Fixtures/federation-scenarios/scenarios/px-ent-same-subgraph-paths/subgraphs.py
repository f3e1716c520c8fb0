"""router entities.rs 'inefficient_entity_fetches_to_same_subgraph': Outer.v only in Subgraph1 (by id),
Outer.w and inner in Subgraph2; IFrag on I spread on Outer and on Inner."""
OV = {"o1": 100, "o2": 200}
RESOLVERS = {
    "Subgraph1": {"Outer": {"__resolveReference": lambda rep, info: {"id": rep["id"], "v": {"x": OV[rep["id"]]}}}},
    "Subgraph2": {"Query": {"outer1": lambda p, a, i: {"id": "o1", "w": 1, "inner": {"v": {"x": 10}, "w": 11}},
                            "outer2": lambda p, a, i: {"id": "o2", "w": 2, "inner": {"v": {"x": 20}, "w": 21}}}},
}
