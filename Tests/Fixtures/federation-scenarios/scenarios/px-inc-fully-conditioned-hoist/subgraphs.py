"""router incremental_planner.rs 'inc_fully_conditioned_fetch_hoists_multiple_variables' with every combination of its variables."""
RESOLVERS = {"a": {"Query": {"user": lambda p, a, i: {"id": "u1", "name": "Ann"}}},
             "b": {"User": {"__resolveReference": lambda rep, info: {"id": rep["id"], "email": "ann@x"}}}}
