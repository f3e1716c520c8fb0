"""router incremental_planner.rs 'inc_greedy_tiebreak_mistake_is_corrected_by_backtracking': profile from c gives detail at once."""
RESOLVERS = {
    "a": {"Query": {"user": lambda p, a, i: {"id": "u1"}}},
    "b": {"User": {"__resolveReference": lambda rep, info: {"id": rep["id"], "profile": {"id": "p1"}}}},
    "c": {"User": {"__resolveReference": lambda rep, info: {"id": rep["id"], "profile": {"id": "p1", "detail": "D1"}}},
          "Profile": {"__resolveReference": lambda rep, info: {"id": rep["id"], "detail": "D1"}}},
}
