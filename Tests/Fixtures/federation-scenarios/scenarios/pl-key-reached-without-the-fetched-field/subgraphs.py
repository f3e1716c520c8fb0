"""`T.k3` is in c and d; c is keyed by `k3` and by `k4`, which only c resolves. From a the way to
`k3` is a → b (key `k1`, for `k2`) → d (key `k2`); c's key `k4` can be had only through c's key
`k3` — the field being fetched. The planner picked c by `k4` and then found it needed `k3` to
get `k3`: QUERY_PLANNING_FAILED on a graph composition accepts (probe 56E). `k4` itself is
fetched from c by `k3`, after d."""


def c_ref(rep, info):
    k3 = rep.get("k3") or rep["k4"][len("k4-"):]
    return {"k3": k3, "k4": "k4-" + k3}


RESOLVERS = {
    "a": {"Query": {"t": lambda _, a, i: {"__typename": "T", "k1": "1"}}},
    "b": {"T": {"k2": lambda p, a, i: "k2-" + p["k1"]}},
    "d": {"T": {"k3": lambda p, a, i: "k3-" + p["k2"]}},
    "c": {"T": {"__resolveReference": c_ref}},
}
