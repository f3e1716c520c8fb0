"""Apollo 'handles multiple requires involving different nestedness': Item keyed by user { id },
requiring user { value } and its own value; User requiring its value."""

ITEMS = [{"id": "i1", "value": "iv1", "user": {"id": "u1", "value": "uv1"}},
         {"id": "i2", "value": "iv2", "user": {"id": "u2", "value": "uv2"}}]
USERS = {"u1": "uv1", "u2": "uv2"}


def item_ref(rep, info):
    u = rep["user"]
    out = {"user": {"id": u["id"]}}
    if "value" in u:
        out["computed2"] = u["value"].upper()
        if "value" in rep:
            out["computed"] = u["value"] + "+" + rep["value"]
    return out


def user_ref(rep, info):
    return {"id": rep["id"], "computed": (rep["value"] + "!") if "value" in rep else None}


RESOLVERS = {
    "s1": {"Query": {"list": lambda p, a, i: [dict(x) for x in ITEMS]},
           "Item": {"__resolveReference": lambda rep, info: next(dict(x) for x in ITEMS if x["user"]["id"] == rep["user"]["id"])},
           "User": {"__resolveReference": lambda rep, info: {"id": rep["id"], "value": USERS[rep["id"]]}}},
    "s2": {"Item": {"__resolveReference": item_ref}, "User": {"__resolveReference": user_ref}},
}
