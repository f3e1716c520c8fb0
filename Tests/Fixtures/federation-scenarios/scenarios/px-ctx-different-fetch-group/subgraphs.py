"""router context.rs 'set_context_test_variable_is_already_in_a_different_fetch_group': the context is set on T in
Subgraph2 but prop comes from Subgraph1. field = len(a)."""

def field(p, a, i):
    v = a.get("a")
    return -1 if v is None else len(v)

RESOLVERS = {
    "Subgraph1": {"Query": {"t": lambda p, a, i: {"id": "t1", "prop": "hello!", "u": {"id": "u1"}}},
                  "T": {"__resolveReference": lambda rep, info: {"id": rep["id"], "prop": "hello!", "u": {"id": "u1"}}}},
    "Subgraph2": {"Query": {"a": lambda p, a, i: 1},
                  "U": {"__resolveReference": lambda rep, info: {"id": rep["id"]}, "field": field}},
}
