"""router requires.rs 'it_handles_longer_require_chain' (10 subgraphs, v_k requires v_(k-1)); `ts` (a list) is ours."""


def need(rep, f):
    if f not in rep:
        raise Exception(f"missing {f}")
    return rep[f]


def step(k):
    return lambda p, a, i: need(p, f"v{k-1}") + k


RESOLVERS = {
    "Subgraph1": {"Query": {"t": lambda p, a, i: {"id": "t1", "v1": 1},
                            "ts": lambda p, a, i: [{"id": "a", "v1": 100}, {"id": "b", "v1": 200}]}},
}
for k in range(2, 11):
    RESOLVERS[f"Subgraph{k}"] = {"T": {f"v{k}": step(k)}}
