"""Apollo 'handles case of key chains in parallel requires' (root made a list)."""
ID2 = {"a": "A2", "b": "B2"}
BACK = {v: k for k, v in ID2.items()}
X = {"A2": 1, "B2": 2}


def s2_ref(rep, info):
    id1 = rep["id1"] if "id1" in rep else BACK[rep["id2"]]
    return {"id1": id1, "id2": ID2[id1]}


def s3_t2(rep, info):
    if "y" not in rep:
        raise Exception("missing y")
    return {"id": rep["id"], "z": rep["y"] * 3}


RESOLVERS = {
    "s1": {"Query": {"t": lambda p, a, i: [{"__typename": "T1", "id1": "a"}, {"__typename": "T2", "id": "c", "y": 5}, {"__typename": "T1", "id1": "b"}]}},
    "s2": {"T1": {"__resolveReference": s2_ref}},
    "s3": {"T1": {"__resolveReference": lambda rep, info: {"id2": rep["id2"], "x": X[rep["id2"]]}}, "T2": {"__resolveReference": s3_t2}},
}
