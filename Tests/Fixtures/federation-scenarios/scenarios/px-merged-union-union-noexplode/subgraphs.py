"""router merged_abstract_types_handling.rs 'union_union_interaction_but_no_need_to_type_explode' (a should_panic
test in the router; `u1s` ours). Subgraph1's u1 can only be B or C."""
RESOLVERS = {"Subgraph1": {"Query": {"u1": lambda p, a, i: {"__typename": "B", "v": 2},
                                     "u1s": lambda p, a, i: [{"__typename": "B", "v": 2}, {"__typename": "C", "v": 3}]}}}
