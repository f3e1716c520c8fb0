"""router merged_abstract_types_handling.rs 'interface_interface_interaction_but_no_need_to_type_explode' (`i1s` ours)."""
RESOLVERS = {"Subgraph1": {"Query": {"i1": lambda p, a, i: {"__typename": "C", "v": 3},
                                     "i1s": lambda p, a, i: [{"__typename": "B", "v": 2}, {"__typename": "C", "v": 3}]}}}
