"""Ours, after router incremental_planner.rs 'inc_circular_key_backtracks_to_alternative': the same shape as a
@requires instead of a key (c is in a, but its cm only through b). target = "T:<cid>:<cm>"."""

def need(rep, f):
    if rep is None or f not in rep:
        raise Exception(f"missing {f} in {rep}")
    return rep[f]

def target(p, a, i):
    c = need(p, "c")
    return f"T:{need(c, 'cid')}:{need(c, 'cm')}"
RESOLVERS = {
    "a": {"Query": {"entry": lambda p, a, i: {"id": "e1", "c": {"cid": "c1"}}}},
    "b": {"E": {"__resolveReference": lambda rep, info: {"id": rep["id"], "c": {"cid": "c1", "cm": "m1"}}}},
    "t": {"E": {"target": target}},
}
