"""s0 provides `T.c1` (external there) under `U.t`; s1 keys T by `c1` and resolves `c2`; s2 keys
T by `c2` and resolves `f`. From s0 the way to `f` is two jumps, the first taking the provided
field: composition refused the graph (SATISFIABILITY_ERROR on `T.f`) because the provided field
was forgotten after the first jump (probe 56E)."""

RESOLVERS = {
    "s0": {"Query": {"u": lambda _, a, i: {"__typename": "U", "id": "u1", "t": {"__typename": "T", "id": "t1", "c1": "c1-t1"}}}},
    "s1": {"T": {"c2": lambda p, a, i: "c2-" + p["c1"], "g": lambda p, a, i: "g-" + p["c1"]}},
    "s2": {"T": {"f": lambda p, a, i: "f-" + p["c2"]}},
}
