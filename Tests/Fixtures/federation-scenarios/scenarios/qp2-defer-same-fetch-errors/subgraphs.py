"""Graph of Apollo's buildPlan.defer test 'handles simple @defer' (v3 is ours): the deferred field fails in the
subgraph that also answers the non-deferred one."""
def boom(p, a, i): raise Exception("v2 failed")
RESOLVERS = {
  "Subgraph1": {"Query": {"t": lambda p, a, i: {"id": "t1"}}},
  "Subgraph2": {"T": {"__resolveReference": lambda r, i: {"id": r["id"], "v1": 1, "v3": None}, "v2": boom}},
}
