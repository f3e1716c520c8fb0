"""router requires.rs 'avoids_selecting_inapplicable_key_from_parent_node': B maps id1 to id2, C gives x by id2, B's req needs x."""

BY1 = {"a": {"id1": "a", "id2": "b"}}
BY2 = {"b": {"id1": "a", "id2": "b"}}


def b_ref(rep, info):
    base = BY1[rep["id1"]] if "id1" in rep else BY2[rep["id2"]]
    return {**base, **{k: v for k, v in rep.items() if k != "__typename"}}


def req(p, a, i):
    if "x" not in p:
        raise Exception("missing x")
    return p["x"] * 2


RESOLVERS = {
    "A": {"Query": {"t": lambda p, a, i: {"id1": "a"}}},
    "B": {"T": {"__resolveReference": b_ref, "req": req}},
    "C": {"T": {"__resolveReference": lambda rep, info: {"id2": rep["id2"], "x": {"b": 7}[rep["id2"]]}}},
}
