"""router incremental_planner.rs 'inc_conditionless_fragment_skip_preserved'."""
RESOLVERS = {"SubgraphA": {"Query": {"user": lambda p, a, i: {"name": "Ann", "email": "ann@x"}}}}
