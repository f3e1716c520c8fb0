"""router merged_abstract_types_handling.rs 'interface_union_interaction_but_no_need_to_type_explode' (a should_panic
test in the router; `is` is ours). Subgraph1's i can only be B or C."""
RESOLVERS = {"Subgraph1": {"Query": {"i": lambda p, a, i: {"__typename": "B", "v": 2},
                                     "is": lambda p, a, i: [{"__typename": "B", "v": 2}, {"__typename": "C", "v": 3}]}}}
