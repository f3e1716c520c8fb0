"""router incremental_planner.rs 'inc_diamond_shaped_compound_key_dependency'. details = code + "-" + region."""

def need(rep, f):
    if rep is None or f not in rep:
        raise Exception(f"missing {f} in {rep}")
    return rep[f]

RESOLVERS = {
    "A": {"Query": {"t": lambda p, a, i: {"id": "t1"}}},
    "B": {"T": {"__resolveReference": lambda rep, info: {"id": rep["id"], "code": "X9"}}},
    "C": {"T": {"__resolveReference": lambda rep, info: {"id": rep["id"], "region": "EU"}}},
    "D": {"T": {"__resolveReference": lambda rep, info: {"code": need(rep, "code"), "region": need(rep, "region"), "details": rep["code"] + "-" + rep["region"]}}},
}
