"""`T.f` is only in c, keyed by `o { id } k2` and by `id` (only c has `id`). From a: b gives `o`
(key `k1`), d gives `k2` (key `o { id }`), then c by `o { id } k2`. c's key `id` can be had only
from c itself — through the key being looked for: the planner took it and failed
(QUERY_PLANNING_FAILED, probe 56E)."""


def c_ref(rep, info):
    if "id" in rep:
        o = rep["id"][len("id-"):]
        return {"o": {"id": o}, "k2": "k2-" + o, "id": rep["id"]}
    return {"o": rep["o"], "k2": rep["k2"], "id": "id-" + rep["o"]["id"]}


RESOLVERS = {
    "a": {"Query": {"t": lambda _, a, i: {"__typename": "T", "k1": "1"}}},
    "b": {"T": {"o": lambda p, a, i: {"id": "o-" + p["k1"]}}},
    "d": {"T": {"k2": lambda p, a, i: "k2-" + p["o"]["id"]}},
    "c": {"T": {"__resolveReference": c_ref, "f": lambda p, a, i: "f-" + p["id"]}},
}
