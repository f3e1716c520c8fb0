"""Two levels of @shareable value types under an entity (Item.info.deep), the innermost type's fields
split: Deep.y in a, Deep.z in b (Item resolvable by id in both). `list { info { deep { y z } } }`
is planned as `info { deep { y } }` from a and `info { deep { z } }` from b by Item's key, merged
(probe 52A: refused with QUERY_PLANNING_FAILED before; one level, Info.y / Info.z, was fine)."""
DATA = {"i1": {"y": 1, "z": 2}, "i2": None}

def info(keys):
    def f(p, a, i):
        d = DATA[p["id"]]
        return {"deep": None if d is None else {k: d[k] for k in keys}}
    return f

RESOLVERS = {
    "a": {"Query": {"list": lambda p, a, i: [{"id": "i1"}, {"id": "i2"}]}, "Item": {"info": info(["y"])}},
    "b": {"Item": {"info": info(["z"])}},
}
