"""Apollo 'handles complex require chain' (7 subgraphs): outer needs inner1..inner5, some nested,
some with requirements of their own."""


def need(rep, *ks):
    for k in ks:
        if k not in rep:
            raise Exception(f"missing {k} in {rep}")


def s5_t(rep, info):
    if set(rep) == {"__typename", "id"}:
        return {"id": rep["id"]}
    need(rep, "inner1", "inner2", "inner3", "inner4", "inner5")
    return {"id": rep["id"], "outer": rep["inner1"] + rep["inner2"] + rep["inner3"]["inner3_nested"] + rep["inner4"]["inner4_nested"] + rep["inner5"]}


def s5_i4(rep, info):
    need(rep, "inner4_required")
    return {"k4": rep["k4"], "inner4_nested": rep["inner4_required"] * 10}


def s3_t(rep, info):
    need(rep, "inner2_required")
    return {"id": rep["id"], "inner2": rep["inner2_required"] * 10}


RESOLVERS = {
    "s1": {"Query": {"t": lambda p, a, i: {"id": "t"}}},
    "s2": {"T": {"__resolveReference": lambda rep, info: {"id": rep["id"], "inner1": 1, "inner2_required": 2}}},
    "s3": {"T": {"__resolveReference": s3_t}},
    "s4": {"T": {"__resolveReference": lambda rep, info: {"id": rep["id"], "inner3": {"k3": "k3"}}},
           "Inner4Type": {"__resolveReference": lambda rep, info: {"k4": rep["k4"], "inner4_required": 4}}},
    "s5": {"T": {"__resolveReference": s5_t},
           "Inner3Type": {"__resolveReference": lambda rep, info: {"k3": rep["k3"], "inner3_nested": 3}},
           "Inner4Type": {"__resolveReference": s5_i4}},
    "s6": {"T": {"__resolveReference": lambda rep, info: {"id": rep["id"], "inner4": {"k4": "k4"}}}},
    "s7": {"T": {"__resolveReference": lambda rep, info: {"id": rep["id"], "inner5": 5}}},
}
