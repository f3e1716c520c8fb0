"""router merged_abstract_types_handling.rs 'union_interface_interaction_but_no_need_to_type_explode' (`us` is ours)."""
RESOLVERS = {"Subgraph1": {"Query": {"u": lambda p, a, i: {"__typename": "B", "v": 2},
                                     "us": lambda p, a, i: [{"__typename": "B", "v": 2}, {"__typename": "C", "v": 3}]}}}
