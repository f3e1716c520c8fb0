"""router context.rs 'set_context_test_variable_is_a_list'. field = 100 * len(a) + total length of its strings (null: 0)."""
def field(p, a, i):
    v = a.get("a")
    if v is None:
        return -1
    return 100 * len(v) + sum(len(s) for s in v if s is not None)
RESOLVERS = {
    "Subgraph1": {"Query": {"t": lambda p, a, i: {"id": "t1", "prop": ["a", "bb", None, "dddd"], "u": {"id": "u1"}}},
                  "U": {"__resolveReference": lambda rep, info: {"id": rep["id"]}, "field": field}},
    "Subgraph2": {"Query": {"a": lambda p, a, i: 1}},
}
