"""router incremental_planner.rs 'inc_root_hop_after_requires_back_into_same_subgraph_stays_split'."""

def need(rep, f):
    if rep is None or f not in rep:
        raise Exception(f"missing {f} in {rep}")
    return rep[f]

def computed(p, a, i):
    need(p, "data")
    return {}
RESOLVERS = {
    "SubgraphA": {"Query": {"e": lambda p, a, i: {"id": "e1", "data": 5}, "a": lambda p, a, i: 1}},
    "SubgraphB": {"Query": {"b": lambda p, a, i: 2}, "E": {"computed": computed}},
}
