"""router overrides/shareable.rs with label percent(100) (the label always active). The subgraphs
that may legitimately serve f1 answer the same value "v"; the one that must not be used answers "stale-S1"."""
RESOLVERS = {
    "S1": {"Query": {"t": lambda p, a, i: {"id": "t1", "f1": "stale-S1"}}, "T": {"__resolveReference": lambda rep, info: {"id": rep["id"], "f1": "stale-S1"}}},
    "S2": {"T": {"__resolveReference": lambda rep, info: {"id": rep["id"], "f1": "v", "f2": "f2"}}},
    "S3": {"T": {"__resolveReference": lambda rep, info: {"id": rep["id"], "f1": "v", "f3": "f3"}}},
}
