"""Minimal: Owner.items is @shareable in b and c; Item (entity, resolvable in both) has a @shareable
value-type field info whose fields are split: Info.c only in b, Info.d only in c. Asking both
(`owners { items { info { c d } } }`) is planned (probe 52A: refused with QUERY_PLANNING_FAILED before; either alone worked)."""
INFO = {"i1": {"c": 2, "d": 3}, "i2": None}
OWN = {"o1": ["i1", "i2"]}

def info_of(keys):
    def f(p, a, i):
        x = INFO[p["id"]]
        return None if x is None else {k: x[k] for k in keys}
    return f

def items(p, a, i):
    return [{"id": x} for x in OWN[p["id"]]]

RESOLVERS = {
    "a": {"Query": {"owners": lambda p, a, i: [{"id": "o1"}]}},
    "b": {"Owner": {"items": items}, "Item": {"info": info_of(["c"])}},
    "c": {"Owner": {"items": items}, "Item": {"info": info_of(["d"])}},
}
