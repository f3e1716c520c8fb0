"""Apollo 'handles @interfaceObject in nested entity'."""
OBJ = {"a1": {"__typename": "A", "id": "a1", "a": 1}, "b1": {"__typename": "B", "id": "b1", "a": 2}, "a2": {"__typename": "A", "id": "a2", "a": 3}}
REL = {"a1": ["b1", "a2"], "b1": [], "a2": ["a1"]}


def s1_ref(rep, info):
    return {"id": rep["id"]}


def s1_t(parent, args, info):
    return {"relatedIs": [{"id": k} for k in REL[parent["id"]]]}


RESOLVERS = {
    "s1": {"I": {"__resolveReference": s1_ref, "t": s1_t}},
    "s2": {"Query": {"i": lambda p, a, i: dict(OBJ["a1"])},
           "I": {"__resolveReference": lambda rep, info: dict(OBJ[rep["id"]])},
           "A": {"__resolveReference": lambda rep, info: dict(OBJ[rep["id"]])},
           "B": {"__resolveReference": lambda rep, info: dict(OBJ[rep["id"]])}},
}
