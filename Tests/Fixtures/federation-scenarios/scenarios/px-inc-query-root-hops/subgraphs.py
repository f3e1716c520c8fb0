"""router incremental_planner.rs 'inc_query_field_root_hops_to_other_subgraph'."""
RESOLVERS = {
    "a": {"Query": {"nested": lambda p, a, i: {}, "a": lambda p, a, i: 1}},
    "b": {"Query": {"b": lambda p, a, i: 2, "b2": lambda p, a, i: 3}},
}
