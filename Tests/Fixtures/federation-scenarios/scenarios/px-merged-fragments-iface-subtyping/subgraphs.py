"""router merged_abstract_types_handling.rs 'does_not_error_out_handling_fragments_when_interface_subtyping_is_involved'."""
RESOLVERS = {"Subgraph1": {"Query": {"a": lambda p, a, i: {"b": {"v1": 1, "v2": 2}}}}}
