"""router incremental_planner.rs 'inc_circular_key_backtracks_to_alternative' (its hand-written supergraph as subgraph SDLs): t's key needs
c { cid cm }, and cm is only in b (and t). target = "T:<cid>:<cm>"."""

def need(rep, f):
    if rep is None or f not in rep:
        raise Exception(f"missing {f} in {rep}")
    return rep[f]

def t_e(rep, info):
    c = need(rep, "c")
    return {"c": c, "target": f"T:{need(c, 'cid')}:{need(c, 'cm')}"}
RESOLVERS = {
    "a": {"Query": {"entry": lambda p, a, i: {"id": "e1", "c": {"cid": "c1"}}}},
    "b": {"E": {"__resolveReference": lambda rep, info: {"id": rep["id"], "c": {"cid": "c1", "cm": "m1"}}}},
    "t": {"E": {"__resolveReference": t_e}},
}
