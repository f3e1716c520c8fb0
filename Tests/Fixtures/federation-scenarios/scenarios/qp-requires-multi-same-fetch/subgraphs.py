"""Apollo 'handles multiple requires within the same entity fetch': T2.f is Int!, T3.f is Int, both
required by g in one _entities fetch (so f must be aliased in one of them)."""

IS = [{"__typename": "T1", "id": "1", "f": 1, "g": 100}, {"__typename": "T2", "id": "2", "f": 2},
      {"__typename": "T3", "id": "3", "f": 3}, {"__typename": "T3", "id": "4", "f": None}]


def g_ref(rep, info):
    if "f" not in rep:
        raise Exception("missing f")
    return {"id": rep["id"], "g": -1 if rep["f"] is None else rep["f"] * 10}


RESOLVERS = {
    "s1": {"Query": {"is": lambda p, a, i: [dict(x) for x in IS]}},
    "s2": {"T2": {"__resolveReference": g_ref}, "T3": {"__resolveReference": g_ref}},
}
