"""router incremental_planner.rs 'inc_partial_overlap_explodes_abstract_type' (`us` ours)."""
V = {"b1": 10, "c1": 20}
RESOLVERS = {
    "Subgraph1": {"Query": {"u": lambda p, a, i: {"__typename": "C", "id": "c1"},
                            "us": lambda p, a, i: [{"__typename": "A", "w": 1}, {"__typename": "B", "id": "b1"}, {"__typename": "C", "id": "c1"}]}},
    "Subgraph2": {"B": {"__resolveReference": lambda rep, info: {"id": rep["id"], "v": V[rep["id"]]}},
                  "C": {"__resolveReference": lambda rep, info: {"id": rep["id"], "v": V[rep["id"]]}}},
}
