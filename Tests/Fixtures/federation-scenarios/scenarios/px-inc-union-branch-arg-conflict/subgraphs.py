"""router incremental_planner.rs 'inc_union_branch_arg_conflict_across_parallel_hops' (`entries` ours: one A and one B in the same list, so both
branches' Widget fetches sit at the same path with different arguments; entries2 has both reach the same Widget).
value(scale) = "<id>x<scale>"."""
ENTRIES = {"1": {"__typename": "A", "item": {"__typename": "Widget", "id": "w1"}}, "2": {"__typename": "B", "id": "b2"}, "3": {"__typename": "B", "id": "b1"}}
ITEM = {"b1": "w1", "b2": "w2"}
RESOLVERS = {
    "Subgraph1": {"Query": {"entry": lambda p, a, i: dict(ENTRIES[a["id"]]),
                            "entries": lambda p, a, i: [dict(ENTRIES["1"]), dict(ENTRIES["2"]), dict(ENTRIES["3"])]}},
    "Subgraph2": {"B": {"__resolveReference": lambda rep, info: {"id": rep["id"], "item": {"__typename": "Widget", "id": ITEM[rep["id"]]}}}},
    "Subgraph3": {"Widget": {"value": lambda p, a, i: f"{p['id']}x{a.get('scale')}"}},
}
