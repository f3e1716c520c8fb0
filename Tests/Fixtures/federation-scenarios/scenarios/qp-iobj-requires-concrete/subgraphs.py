"""Apollo 'handles @requires on concrete type of field provided by interface object'."""
X = {"a1": 5, "b1": 6, "a2": 7}


def s2_ref(rep, info):
    if rep["__typename"] == "A":
        if "x" not in rep:
            raise Exception("missing x")
        return {"id": rep["id"], "y": f"y{rep['x']}"}
    return {"id": rep["id"], "x": X[rep["id"]]}


def s1_ref(rep, info):
    if rep.get("__typename") != "I":
        raise Exception(f"s1 got {rep}")
    return {"id": rep["id"], "x": X[rep["id"]]}


RESOLVERS = {
    "s1": {"I": {"__resolveReference": s1_ref}},
    "s2": {"Query": {"i": lambda p, a, i: [{"__typename": "A", "id": "a1"}, {"__typename": "B", "id": "b1", "x": 6}, {"__typename": "A", "id": "a2"}]},
           "A": {"__resolveReference": s2_ref}, "B": {"__resolveReference": s2_ref}},
}
