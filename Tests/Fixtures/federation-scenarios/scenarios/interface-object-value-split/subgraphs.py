"""A @shareable value-type field of an entity interface, answered by the interface's owner (Meta.a)
and by an @interfaceObject subgraph (Meta.b)."""
KIND = {"b1": "Book", "m1": "Movie"}
META = {"b1": {"a": 1, "b": 2}, "m1": None}

def meta(keys):
    def f(p, a, i):
        m = META[p["id"]]
        return None if m is None else {k: m[k] for k in keys}
    return f

def owner_ref(rep, info):
    return {"__typename": KIND[rep["id"]], "id": rep["id"], "pages": 10} if rep["id"] in KIND else None

RESOLVERS = {
    "owner": {"Query": {"media": lambda p, a, i: [owner_ref({"id": k}, None) for k in ["b1", "m1"]]},
              "Media": {"__resolveReference": owner_ref}, "Book": {"__resolveReference": owner_ref, "meta": meta(["a"])},
              "Movie": {"__resolveReference": owner_ref, "meta": meta(["a"])}},
    "iobj": {"Query": {"picks": lambda p, a, i: [{"id": "m1"}, {"id": "b1"}]},
             "Media": {"meta": meta(["b"])}},
}
