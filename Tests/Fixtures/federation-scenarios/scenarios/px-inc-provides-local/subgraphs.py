"""router incremental_planner.rs 'inc_provides_prefers_local_resolution'."""
RESOLVERS = {
    "SubgraphA": {"Query": {"product": lambda p, a, i: {"id": "p1", "details": {"id": "d1", "price": 9.5}}}},
    "SubgraphB": {"Details": {"__resolveReference": lambda rep, info: {"id": rep["id"], "price": 9.5, "description": "desc"}}},
}
