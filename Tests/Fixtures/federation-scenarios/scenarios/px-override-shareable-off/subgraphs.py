"""router overrides/shareable.rs with label percent(0) (the label never active). The subgraphs
that may legitimately serve f1 answer the same value "v"; the one that must not be used answers "inactive-S2"."""
RESOLVERS = {
    "S1": {"Query": {"t": lambda p, a, i: {"id": "t1", "f1": "v"}}, "T": {"__resolveReference": lambda rep, info: {"id": rep["id"], "f1": "v"}}},
    "S2": {"T": {"__resolveReference": lambda rep, info: {"id": rep["id"], "f1": "inactive-S2", "f2": "f2"}}},
    "S3": {"T": {"__resolveReference": lambda rep, info: {"id": rep["id"], "f1": "v", "f3": "f3"}}},
}
