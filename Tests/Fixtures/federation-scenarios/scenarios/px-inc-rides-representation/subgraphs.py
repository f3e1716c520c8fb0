"""router incremental_planner.rs 'inc_rides_representation_skips_redundant_key_condition_routing'. detail = id + "/" + name."""

def need(rep, f):
    if rep is None or f not in rep:
        raise Exception(f"missing {f} in {rep}")
    return rep[f]

RESOLVERS = {
    "A": {"Query": {"t": lambda p, a, i: {"id": "t1"}}},
    "B": {"T": {"__resolveReference": lambda rep, info: {"id": rep["id"], "name": "Tee"}}},
    "C": {"T": {"__resolveReference": lambda rep, info: {"id": need(rep, "id"), "name": need(rep, "name"), "detail": rep["id"] + "/" + rep["name"]}}},
}
