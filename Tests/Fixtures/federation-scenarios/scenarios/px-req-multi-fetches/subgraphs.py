"""router requires.rs 'it_handles_multiple_requires_with_multiple_fetches'. T t1 (name Tee, x.isX false, v = V v1/iv1);
V v1's y is Y y1 (isY true, from s3), its zz are Z with U u1 (Ulla) and u2 (Uwe) (s4). foo = ["x:<isX>", "y:<isY>"];
bar = the zz users then the T itself."""

T = {"id": "t1", "name": "Tee"}
V = {"id": "v1", "internalID": "iv1"}
BY_INTERNAL = {"iv1": "v1"}
UNAME = {"u1": "Ulla", "u2": "Uwe"}


def need(rep, *path):
    cur = rep
    for p in path:
        if not isinstance(cur, dict) or p not in cur:
            raise Exception(f"missing {'.'.join(path)} in {rep}")
        cur = cur[p]
    return cur


def t_obj(tid):
    return {"id": tid, "name": "Tee", "x": {"t": {"id": tid}}, "v": dict(V)}


def v_ref(rep, info):
    vid = rep.get("id") or BY_INTERNAL[rep["internalID"]]
    return {"id": vid, "internalID": V["internalID"]}


def zz(vid):
    return [{"free": True, "u": {"id": "u1", "name": "Ulla"}, "v": dict(V)}, {"free": False, "u": {"id": "u2", "name": "Uwe"}, "v": dict(V)}]


def foo(p, a, i):
    return [f"x:{need(p, 'x', 'isX')}", f"y:{need(p, 'v', 'y', 'isY')}"]


def bar(p, a, i):
    need(p, "x", "isX"); need(p, "v", "y", "isY")
    zs = need(p, "v", "zz")
    return [{"__typename": "U", "id": z["u"]["id"]} for z in zs] + [{"__typename": "T", "id": p["id"]}]


RESOLVERS = {
    "s1": {"Query": {"t": lambda p, a, i: {**t_obj("t1"), "x": {"t": {"id": "t1"}, "isX": False}}},
           "T": {"__resolveReference": lambda rep, info: {**t_obj(rep["id"]), "x": {"t": {"id": rep["id"]}, "isX": False}}},
           "U": {"__resolveReference": lambda rep, info: {"id": rep["id"]}},
           "V": {"__resolveReference": v_ref},
           "X": {"__resolveReference": lambda rep, info: {"t": {"id": rep["t"]["id"]}, "isX": False}}},
    "s2": {"T": {"foo": foo, "bar": bar},
           "V": {"__resolveReference": lambda rep, info: {**v_ref(rep, info), "y": {"id": "y1"}}}},
    "s3": {"V": {"__resolveReference": lambda rep, info: {"internalID": rep["internalID"], "y": {"id": "y1", "isY": True}}},
           "Y": {"__resolveReference": lambda rep, info: {"id": rep["id"], "isY": True}}},
    "s4": {"V": {"__resolveReference": lambda rep, info: {**v_ref(rep, info), "zz": zz(rep.get("id"))}},
           "T": {"__resolveReference": lambda rep, info: t_obj(rep["id"])},
           "U": {"__resolveReference": lambda rep, info: {"id": rep["id"], "name": UNAME[rep["id"]]}}},
}
