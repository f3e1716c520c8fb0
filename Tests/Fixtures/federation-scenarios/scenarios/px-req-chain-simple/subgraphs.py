"""router requires.rs 'it_handles_simple_require_chain': v (Subgraph1) -> inner (Subgraph2) -> outer (Subgraph3)."""


def need(rep, f):
    if f not in rep:
        raise Exception(f"missing {f}")
    return rep[f]


RESOLVERS = {
    "Subgraph1": {"Query": {"t": lambda p, a, i: {"id": "t1", "v": 3}}},
    "Subgraph2": {"T": {"inner": lambda p, a, i: need(p, "v") * 10}},
    "Subgraph3": {"T": {"outer": lambda p, a, i: need(p, "inner") + 1}},
}
