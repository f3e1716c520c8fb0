"""router context.rs 'set_context_one_subgraph'. field = len(a)."""

def field(p, a, i):
    v = a.get("a")
    return -1 if v is None else len(v)

RESOLVERS = {
    "Subgraph1": {"Query": {"t": lambda p, a, i: {"id": "t1", "prop": "four", "u": {"id": "u1", "b": "B1"}}},
                  "U": {"__resolveReference": lambda rep, info: {"id": rep["id"], "b": "B1"}, "field": field}},
    "Subgraph2": {"Query": {"randomId": lambda p, a, i: "r"}},
}
