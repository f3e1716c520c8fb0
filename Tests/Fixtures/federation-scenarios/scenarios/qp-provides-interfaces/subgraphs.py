"""Apollo query-planner test '@provides works on interfaces' (buildPlan.test.ts): an interface
field that provides a field of a value type nested under the interface's field."""

S2 = {"T1": {"1": {"a": 10, "b": 11}}, "T2": {"2": {"a": 20, "b": 21}}}


def s2_ref(rep, info):
    v = S2[rep["__typename"]].get(rep["id"])
    return None if v is None else {"id": rep["id"], "v": dict(v)}


RESOLVERS = {
    "s1": {"Query": {
        "noProvides": lambda p, a, i: {"__typename": "T1", "id": "1"},
        "withProvides": lambda p, a, i: {"__typename": "T2", "id": "2", "v": {"a": 20}},
    }},
    "s2": {"T1": {"__resolveReference": s2_ref}, "T2": {"__resolveReference": s2_ref}},
}
