"""Six subgraphs chained by keys (Apollo composes it; its planner follows the chain): each keys `T`
by a field only the subgraph before it resolves (`k0 → k1 → … → k5`), so `last` (in s5) is five
key jumps from the root field. Composition refused such a chain past three jumps
(SATISFIABILITY_ERROR) and the planner could not plan it (probe 55A)."""


def step(i):
    return lambda p, a, info: f"{p['k%d' % (i - 1)]}.{i}"


RESOLVERS = {
    "s0": {"Query": {"ts": lambda _, a, i: [{"__typename": "T", "k0": "a"}, {"__typename": "T", "k0": "b"}]},
           "T": {"k1": step(1)}},
    "s1": {"T": {"k2": step(2)}},
    "s2": {"T": {"k3": step(3)}},
    "s3": {"T": {"k4": step(4), "mid": lambda p, a, i: "mid:" + p["k3"]}},
    "s4": {"T": {"k5": step(5)}},
    "s5": {"T": {"last": lambda p, a, i: "last:" + p["k5"]}},
}
