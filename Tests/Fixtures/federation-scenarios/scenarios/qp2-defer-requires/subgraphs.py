"""Graph of Apollo's buildPlan.defer test 'requirements of deferred fields are deferred'; `ts` and data ours."""
V3 = {"t1": 3, "t2": None, "t3": 7}
def v2(p, a, i):
    return None if p.get("v3") is None else p["v3"] * 10
RESOLVERS = {
  "Subgraph1": {"Query": {"t": lambda p, a, i: {"id": "t1", "v1": 1}, "ts": lambda p, a, i: [{"id": k, "v1": n} for n, k in enumerate(["t1", "t2", "t3"])]},
                "T": {"__resolveReference": lambda r, i: {"id": r["id"], "v1": 1}}},
  "Subgraph2": {"T": {"v2": v2}},
  "Subgraph3": {"T": {"__resolveReference": lambda r, i: {"id": r["id"], "v3": V3[r["id"]]}}},
}
