"""Ours, the graph of router overrides/shareable.rs without the override: f1 is in S2 and S3, f2 only in S2,
f3 only in S3; whatever the order of the fields, one entity fetch is enough."""
RESOLVERS = {
    "S1": {"Query": {"t": lambda p, a, i: {"id": "t1"}}},
    "S2": {"T": {"__resolveReference": lambda rep, info: {"id": rep["id"], "f1": "v", "f2": "f2"}}},
    "S3": {"T": {"__resolveReference": lambda rep, info: {"id": rep["id"], "f1": "v", "f3": "f3"}}},
}
