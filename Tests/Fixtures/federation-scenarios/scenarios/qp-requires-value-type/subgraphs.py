"""Apollo 'planning does not modify the underlying query graph': two @requires on different
sub-fields of one external value-type field."""


def s2_ref(rep, info):
    f1 = rep.get("f1") or {}
    return {"k": rep["k"], "f2": ("2:" + f1["v1"]) if "v1" in f1 else "NO-V1", "f3": ("3:" + f1["v2"]) if "v2" in f1 else "NO-V2"}


RESOLVERS = {
    "s1": {"Query": {"entity": lambda p, a, i: {"k": "e", "f1": {"v1": "one", "v2": "two"}}}},
    "s2": {"Entity": {"__resolveReference": s2_ref}},
}
