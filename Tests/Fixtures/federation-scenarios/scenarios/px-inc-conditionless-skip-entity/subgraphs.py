"""router incremental_planner.rs 'inc_conditionless_fragment_skip_preserved' on a graph of ours where email is in another subgraph."""
RESOLVERS = {"a": {"Query": {"user": lambda p, a, i: {"id": "u1", "name": "Ann"}}},
             "b": {"User": {"__resolveReference": lambda rep, info: {"id": rep["id"], "email": "ann@x"}}}}
