"""Apollo 'works with key chains' (id1 -> id2 through Subgraph2, x/y by id2 in Subgraph3; Subgraph4's z requiring x and
`ts` ours), asked with client aliases named like the key fields the plan needs. id2 = id1 upper-cased; x = 10 * n,
y = n; z = "z<x>"."""
def need(rep, f):
    if f not in rep:
        raise Exception(f"missing {f} in {rep}")
    return rep[f]


def s2(rep, info):
    if "id1" in rep:
        return {"id1": rep["id1"], "id2": rep["id1"].upper()}
    return {"id2": rep["id2"], "id1": rep["id2"].lower()}


def s3(rep, info):
    n = int(need(rep, "id2")[1:])
    return {"id2": rep["id2"], "x": 10 * n, "y": n}


RESOLVERS = {
    "Subgraph1": {"Query": {"t": lambda p, a, i: {"id1": "k1"}, "ts": lambda p, a, i: [{"id1": "k1"}, {"id1": "k2"}]}},
    "Subgraph2": {"T": {"__resolveReference": s2}},
    "Subgraph3": {"T": {"__resolveReference": s3}},
    "Subgraph4": {"T": {"z": lambda p, a, i: f"z{need(p, 'x')}"}},
}
