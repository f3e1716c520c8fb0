"""Owner.items (c, and in the abc variant also b) returns Items whose shareable value-type field
info is split: Info.b from a (Item resolvable by id), Info.d from c, Info.c from b (b's Item is
`resolvable: false`). `owners { items { info { b d } } }` is plannable: c's items, info.d from c,
info.b from a by Item's key."""
INFO = {"i1": {"b": 1, "c": 2, "d": 3}, "i2": None}
OWN = {"o1": ["i1", "i2"]}

def info_of(keys):
    def f(p, a, i):
        x = INFO[p["id"]]
        return None if x is None else {k: x[k] for k in keys}
    return f

def items(p, a, i):
    return [{"id": x} for x in OWN[p["id"]]]

RESOLVERS = {
    "a": {"Query": {"owners": lambda p, a, i: [{"id": "o1"}]},
          "Item": {"info": info_of(["b"])}},
    "b": {"Owner": {"items": items}, "Item": {"info": info_of(["c"])}},
    "c": {"Owner": {"items": items}, "Item": {"info": info_of(["d"])}},
}
