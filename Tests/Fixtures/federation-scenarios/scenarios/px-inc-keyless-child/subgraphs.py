"""router incremental_planner.rs 'inc_keyless_child_behind_wrong_ranked_hop_recovered_by_search': Child has no key; leaf only through b's child."""
RESOLVERS = {
    "a": {"Query": {"parent": lambda p, a, i: {"id": "p1", "child": {"value": 1}}}},
    "b": {"Parent": {"__resolveReference": lambda rep, info: {"id": rep["id"], "child": {"leaf": "L1"}}}},
}
