"""As shareable-root-value-split-unresolvable-key, one entity hop down: Holder.list is shareable in a and b (both
resolve Holder by key); b's Item is not resolvable, so Info.c comes only with b's Holder.list."""
ITEMS = [{"id": "1", "info": {"a": 1, "b": 10, "c": 100}}, {"id": "2", "info": None}]

def only(keys):
    return lambda p, a, i: [{"id": x["id"], "info": None if x["info"] is None else {k: x["info"][k] for k in keys}} for x in ITEMS]

RESOLVERS = {
    "z": {"Query": {"holder": lambda p, a, i: {"id": "h"}}},
    "a": {"Holder": {"list": only(["a", "b"])},
          "Item": {"__resolveReference": lambda rep, info: next(({"id": x["id"], "info": None if x["info"] is None else {k: x["info"][k] for k in ["a", "b"]}} for x in ITEMS if x["id"] == rep["id"]), None)}},
    "b": {"Holder": {"list": only(["a", "c"])}},
}
