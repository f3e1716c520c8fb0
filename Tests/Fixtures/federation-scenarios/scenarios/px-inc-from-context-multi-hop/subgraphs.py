"""router incremental_planner.rs 'inc_from_context_multi_hop_ancestor'. value = len(arg)."""
RESOLVERS = {
    "Subgraph1": {"Query": {"a": lambda p, a, i: {"id": "a1", "prop": "hello", "b": {"id": "b1", "c": {"id": "c1"}}}},
                  "C": {"value": lambda p, a, i: -1 if a.get("arg") is None else len(a["arg"])}},
    "Subgraph2": {"Query": {"dummy": lambda p, a, i: "d"}},
}
