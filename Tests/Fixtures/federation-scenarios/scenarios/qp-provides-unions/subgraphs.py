"""Apollo query-planner test '@provides works on unions' (buildPlan.test.ts), root fields made lists."""

T1 = {"x1": 11, "x2": 12}
T2A = {"y1": 21, "y2": 22}
T2B = {"y1": 210, "y2": 220}


def items(provide_t1, provide_t2):
    def resolve(p, a, i):
        out = []
        for tid in ("x1", "y1", "x2", "y2"):
            if tid.startswith("x"):
                o = {"__typename": "T1", "id": tid}
                if provide_t1:
                    o["a"] = T1[tid]
            else:
                o = {"__typename": "T2", "id": tid, "a": T2A[tid]}
                if provide_t2:
                    o["b"] = T2B[tid]
            out.append(o)
        return out
    return resolve


def s2_ref(rep, info):
    if rep["__typename"] == "T1":
        return {"id": rep["id"], "a": T1[rep["id"]]}
    return {"id": rep["id"], "b": T2B[rep["id"]]}


RESOLVERS = {
    "s1": {"Query": {"noProvides": items(False, False), "withProvidesForT1": items(True, False),
                     "withProvidesForBoth": items(True, True)}},
    "s2": {"T1": {"__resolveReference": s2_ref}, "T2": {"__resolveReference": s2_ref}},
}
