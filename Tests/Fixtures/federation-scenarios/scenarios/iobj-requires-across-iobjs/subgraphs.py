"""Ours, after Apollo's interfaceObject tests ('handles @interfaceObject in nested entity', '@requires on concrete type of field
provided by interface object') and the router's 'allows_post_requires_input_with_typename_on_interface_object_type':
S3's @interfaceObject Node.label requires `name` (the interface's, from S1's implementations) and `tags` (S2's
@interfaceObject). label = name + "#" + ",".join(tags)."""
OBJ = {"a1": ("A", "Alpha", 1), "b1": ("B", "Beta", 2), "a2": ("A", "Gamma", 3), "b2": ("B", "Delta", 4)}
TAGS = {"a1": ["x"], "b1": ["y", "z"], "a2": [], "b2": ["w"]}
REL = {"a1": ["b1", "a2"], "b1": ["a1"], "a2": [], "b2": ["b1", "b2"]}


def s1_obj(i):
    t, n, v = OBJ[i]
    o = {"__typename": t, "id": i, "name": n}
    o["a" if t == "A" else "b"] = v
    return o


def s1_ref(rep, info):
    return s1_obj(rep["id"])


def s2_ref(rep, info):
    if rep.get("__typename") != "Node":
        raise Exception("S2 only knows Node, got " + str(rep.get("__typename")))
    i = rep["id"]
    return {"id": i, "tags": TAGS[i], "related": [{"id": r} for r in REL[i]]}


def label(p, a, i):
    if "name" not in p or "tags" not in p:
        raise Exception(f"missing requires in {p}")
    return p["name"] + "#" + ",".join(p["tags"])


RESOLVERS = {
    "S1": {"Query": {"nodes": lambda p, a, i: [s1_obj(k) for k in ("a1", "b1")]},
           "Node": {"__resolveReference": s1_ref}, "A": {"__resolveReference": s1_ref}, "B": {"__resolveReference": s1_ref}},
    "S2": {"Query": {"fromS2": lambda p, a, i: [{"id": k, "tags": TAGS[k], "related": [{"id": r} for r in REL[k]]} for k in ("b2", "a2")]},
           "Node": {"__resolveReference": s2_ref,
                    "related": lambda p, a, i: [{"id": r} for r in REL[p["id"]]],
                    "tags": lambda p, a, i: TAGS[p["id"]]}},
    "S3": {"Node": {"label": label}},
}

