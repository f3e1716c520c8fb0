"""Apollo query-planner test '@provides works with type-condition, even for types only reachable by
the @provides'."""

E = {"e1": ("T1", "t1"), "e2": ("T2", "t2")}
T = {"t1": {"a": 1, "b": 2}, "t2": {"a": 3, "c": 4}}


def s1_items(provide):
    def resolve(p, a, i):
        out = []
        for eid, (tn, tid) in E.items():
            e = {"id": eid}
            if provide:
                o = {"__typename": tn, "id": tid, "a": T[tid]["a"]}
                if tn == "T1":
                    o["b"] = T[tid]["b"]
                e["i"] = o
            out.append(e)
        return out
    return resolve


def e_ref(rep, info):
    tn, tid = E[rep["id"]]
    return {"id": rep["id"], "i": {"__typename": tn, "id": tid, **T[tid]}}


def t_ref(rep, info):
    return {"id": rep["id"], **T[rep["id"]]}


RESOLVERS = {
    "s1": {"Query": {"noProvides": s1_items(False), "withProvides": s1_items(True)}},
    "s2": {"E": {"__resolveReference": e_ref}, "T1": {"__resolveReference": t_ref}, "T2": {"__resolveReference": t_ref}},
}
