"""router interface_object.rs 'it_handles_interface_object_input_rewrites_when_cloning_dependency_graph':
S1's i is U u1 (i1 k1, i2 T t-1); S2 (@interfaceObject) gives i3 and i2 by i1; S3/S4 give T's t2 (same value), t3, t4."""
I3 = {"k1": 7}
def s2_i(rep, info):
    if rep.get("__typename") != "I":
        raise Exception("S2 knows only I")
    return {"i1": rep["i1"], "i3": I3[rep["i1"]], "i2": {"t1": "t-1"}}
RESOLVERS = {
    "S1": {"Query": {"i": lambda p, a, i: {"__typename": "U", "id": "u1", "i1": "k1", "i2": {"t1": "t-1"}}},
           "I": {"__resolveReference": lambda rep, info: {"__typename": "U", "id": "u1", "i1": rep["i1"], "i2": {"t1": "t-1"}}},
           "U": {"__resolveReference": lambda rep, info: {"id": "u1", "i1": rep["i1"], "i2": {"t1": "t-1"}}}},
    "S2": {"I": {"__resolveReference": s2_i}},
    "S3": {"T": {"__resolveReference": lambda rep, info: {"t1": rep["t1"], "t2": "two:" + rep["t1"], "t3": 3}}},
    "S4": {"T": {"__resolveReference": lambda rep, info: {"t1": rep["t1"], "t2": "two:" + rep["t1"], "t4": 4}}},
}
