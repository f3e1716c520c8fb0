"""router incremental_planner.rs 'inc_interface_type_explosion_routes_value_type_field'."""
RESOLVERS = {
    "Subgraph1": {"Query": {"i": lambda p, a, i: {"__typename": "T", "id": "t1", "s": {"x": 1}}}}, 
    "Subgraph2": {"T": {"__resolveReference": lambda rep, info: {"id": rep["id"], "s": {"x": 1, "y": 2}}}},
}
