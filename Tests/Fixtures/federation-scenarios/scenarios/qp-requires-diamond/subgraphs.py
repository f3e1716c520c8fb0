"""Apollo 'handes diamond-shape depedencies': D is keyed by id2 (from B) and requires v3 (from C)."""
B = {"a1": {"id1": "a1", "id2": "b1", "v1": 1, "v2": 2}}
ID2 = {"b1": "a1"}


def b_ref(rep, info):
    if "id1" in rep:
        return dict(B[rep["id1"]])
    return dict(B[ID2[rep["id2"]]])


def d_ref(rep, info):
    if "v3" not in rep:
        raise Exception("missing v3")
    return {"id2": rep["id2"], "v4": rep["v3"] * 10}


RESOLVERS = {
    "a": {"Query": {"t": lambda p, a, i: {"id1": "a1"}}},
    "b": {"T": {"__resolveReference": b_ref}},
    "c": {"T": {"__resolveReference": lambda rep, info: {"id1": rep["id1"], "v3": 3}}},
    "d": {"T": {"__resolveReference": d_ref}},
}
