"""router context.rs 'set_context_test_variable_is_from_same_subgraph'. field = len(a)."""

def field(p, a, i):
    v = a.get("a")
    return -1 if v is None else len(v)

RESOLVERS = {
    "Subgraph1": {"Query": {"t": lambda p, a, i: {"id": "t1", "prop": "hello", "u": {"id": "u1", "b": "B1"}}},
                  "U": {"__resolveReference": lambda rep, info: {"id": rep["id"], "b": "B1"}, "field": field}},
    "Subgraph2": {"Query": {"a": lambda p, a, i: 1}},
}
