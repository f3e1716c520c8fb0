"""router incremental_planner.rs 'inc_user_field_argument_conflict_with_requires_condition'. p(arg) = 10 * arg (no arg: -1); x = p(arg: 1) + 1000."""

def need(rep, f):
    if rep is None or f not in rep:
        raise Exception(f"missing {f} in {rep}")
    return rep[f]

def p(parent, a, i):
    arg = a.get("arg")
    return -1 if arg is None else 10 * arg
RESOLVERS = {
    "Subgraph1": {"Query": {"t": lambda par, a, i: {"id": "t1"}}, "T": {"p": p}},
    "Subgraph2": {"T": {"x": lambda par, a, i: need(par, "p") + 1000}},
}
