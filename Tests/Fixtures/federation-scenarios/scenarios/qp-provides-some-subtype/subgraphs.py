"""Apollo query-planner test '@provides allow providing fields for only some subtype'."""

T1A = {"p": 1}
T1B = {"p": 2}
T2 = {"q": {"a": 3, "b": 4}}


def items(provide):
    def resolve(p, a, i):
        t2 = {"__typename": "T2", "id": "q"}
        for f in provide:
            t2[f] = T2["q"][f]
        return [{"__typename": "T1", "id": "p", "a": T1A["p"]}, t2]
    return resolve


def s2_ref(rep, info):
    if rep["__typename"] == "T1":
        return {"id": rep["id"], "b": T1B[rep["id"]]}
    return {"id": rep["id"], **T2[rep["id"]]}


RESOLVERS = {
    "s1": {"Query": {"noProvides": items(()), "withProvidesOnA": items(("a",)), "withProvidesOnB": items(("b",))}},
    "s2": {"T1": {"__resolveReference": s2_ref}, "T2": {"__resolveReference": s2_ref}},
}
