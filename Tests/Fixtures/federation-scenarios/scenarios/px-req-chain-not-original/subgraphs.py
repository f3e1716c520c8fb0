"""router requires.rs 'it_handles_require_chain_not_ending_in_original_group': v comes from Subgraph4."""


def need(rep, f):
    if f not in rep:
        raise Exception(f"missing {f}")
    return rep[f]


RESOLVERS = {
    "Subgraph1": {"Query": {"t": lambda p, a, i: {"id": "t1"}}},
    "Subgraph2": {"T": {"inner": lambda p, a, i: need(p, "v") * 10}},
    "Subgraph3": {"T": {"outer": lambda p, a, i: need(p, "inner") + 1}},
    "Subgraph4": {"T": {"v": lambda p, a, i: {"t1": 4}[p["id"]]}},
}
