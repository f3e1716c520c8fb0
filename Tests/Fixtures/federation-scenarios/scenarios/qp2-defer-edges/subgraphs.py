"""Edge cases of @defer on the graph of Apollo's 'multiple (non-nested) @defer + label handling', extended
(lists, nulls, a union, an interface, a failing field, non-null fields) by us."""
def t1(i): return {"id": i, "v0": "zero-" + i}
def v1(p, a, i): return "one-" + p["id"] + (a.get("suffix") or "")
def sub2(r, i):
    i_ = r["id"]
    return {"id": i_, "v2": "two-" + i_, "v2nn": None if i_ == "t2" else "nn-" + i_, "v3": {"id": "u" + i_[1:]},
            "us": [[{"id": "u1"}, None], [], None] if i_ == "t1" else None}
def boom(p, a, i): raise Exception("boom " + p["id"])
def ynn(p, a, i): return None if p["id"] == "u2" else 5
RESOLVERS = {
  "Subgraph1": {"Query": {"t": lambda p, a, i: t1("t1"), "ts": lambda p, a, i: [t1("t1"), None, t1("t2")], "tnull": lambda p, a, i: None,
                          "tsnn": lambda p, a, i: [t1("t1"), t1("t2")],
                          "node": lambda p, a, i: ({"__typename": "T", **t1(a["id"])} if a["id"].startswith("t") else {"__typename": "U", "id": a["id"], "name": "n-" + a["id"]}),
                          "search": lambda p, a, i: [{"__typename": "U", "id": "u1", "name": "n-u1"}, {"__typename": "T", **t1("t1")}]},
                "T": {"__resolveReference": lambda r, i: t1(r["id"]), "v1": v1},
                "U": {"__resolveReference": lambda r, i: {"id": r["id"], "name": "n-" + r["id"]}}},
  "Subgraph2": {"T": {"__resolveReference": sub2, "boom": boom}},
  "Subgraph3": {"U": {"__resolveReference": lambda r, i: {"id": r["id"], "x": int(r["id"][1:]) * 10, "y": int(r["id"][1:]) * 20}, "ynn": ynn}},
}
