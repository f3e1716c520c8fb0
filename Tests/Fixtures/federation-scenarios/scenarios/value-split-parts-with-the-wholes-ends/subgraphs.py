"""Product.spec (shareable in a, b and c) whose value types are split: Dims.h/w/unit in b, Unit.sym in a
and c, Unit.label in b. Dividing `dims { h unit { label sym } w }` makes the part `[h, unit { label },
w]`, which begins and ends where the whole does: the planner's memoised reach estimates took the
whole's for it, chose the wrong subgraph and failed (probe 52D)."""
P = {"p1": {"dims": {"h": 1, "w": 2, "unit": {"sym": "cm", "label": "centimetre"}}}}
ref = lambda rep, info: dict(rep) if rep["id"] in P else None
spec = lambda p, a, i: P[p["id"]]
RESOLVERS = {g: {"Product": {"__resolveReference": ref, "spec": spec}} for g in "abc"}
RESOLVERS["a"]["Query"] = {"products": lambda p, a, i: [{"id": "p1"}]}
