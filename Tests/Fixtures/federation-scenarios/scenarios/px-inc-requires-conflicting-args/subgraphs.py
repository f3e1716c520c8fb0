"""router incremental_planner.rs 'inc_requires_conflicting_arguments_splits_group' (`ts` ours). f(arg) = base * arg (t1: 10, t2: 100);
a = f(1) + 1, b = f(2) + 2."""

def need(rep, f):
    if rep is None or f not in rep:
        raise Exception(f"missing {f} in {rep}")
    return rep[f]

BASE = {"t1": 10, "t2": 100}
RESOLVERS = {
    "Subgraph1": {"Query": {"t": lambda p, a, i: {"id": "t1"}, "ts": lambda p, a, i: [{"id": "t1"}, {"id": "t2"}]},
                  "T": {"f": lambda p, a, i: BASE[p["id"]] * a["arg"]}},
    "Subgraph2": {"T": {"a": lambda p, a, i: need(p, "f") + 1, "b": lambda p, a, i: need(p, "f") + 2}},
}
