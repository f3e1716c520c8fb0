"""Apollo '@requires references external field indirectly: key where @external is not at top level
of selection of requires'."""

U = {"kk": {"k2": "K2", "v": {"id": "vv", "v": "vee"}}}
BY_K2 = {"K2": "kk"}


def b_ref(rep, info):
    if "k1" in rep:
        kid = rep["k1"]["id"]
    else:
        kid = BY_K2[rep["k2"]]
    out = {"k1": {"id": kid}, "k2": U[kid]["k2"], "f2": 2}
    if "v" in rep:
        out["f"] = "F-" + rep["v"]["v"]
    return out


def c_ref(rep, info):
    kid = rep["k1"]["id"] if "k1" in rep else BY_K2[rep["k2"]]
    return {"k1": {"id": kid}, "k2": U[kid]["k2"], "v": dict(U[kid]["v"])}


RESOLVERS = {
    "a": {"Query": {"u": lambda p, a, i: {"k1": {"id": "kk"}}}},
    "b": {"U": {"__resolveReference": b_ref}},
    "c": {"U": {"__resolveReference": c_ref}, "V": {"__resolveReference": lambda rep, info: {"id": rep["id"], "v": "vee"}}},
}
