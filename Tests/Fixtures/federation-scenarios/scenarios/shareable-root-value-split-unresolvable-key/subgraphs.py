"""A shareable root list and a shareable value type whose fields are split: b's Item is not
resolvable (resolvable: false), so Info.c can only come from b's root field, Info.b from a by key."""
ITEMS = [{"id": "1", "info": {"a": 1, "b": 10, "c": 100}}, {"id": "2", "info": None}, {"id": "3", "info": {"a": 3, "b": None, "c": 300}}]

def only(keys):
    return lambda p, a, i: [{"id": x["id"], "info": None if x["info"] is None else {k: x["info"][k] for k in keys}} for x in ITEMS]

RESOLVERS = {
    "a": {"Query": {"list": only(["a", "b"])},
          "Item": {"__resolveReference": lambda rep, info: next(({"id": x["id"], "info": None if x["info"] is None else {k: x["info"][k] for k in ["a", "b"]}} for x in ITEMS if x["id"] == rep["id"]), None)}},
    "b": {"Query": {"list": only(["a", "c"])}},
}
