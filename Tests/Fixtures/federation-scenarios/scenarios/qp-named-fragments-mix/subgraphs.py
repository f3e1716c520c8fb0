"""Apollo named-fragment tests on one graph: 'handles mix of fragments indirection and unions', 'another mix of fragments
indirection and unions', 'handles non-intersecting fragment conditions' (fed2), 'works with nested fragments 1'."""
OWNER = {"id": "o1", "v0": "zero", "u": [{"__typename": "T1", "id1": "a", "id2": "b", "owner": {"id": "o2", "v0": "inner"}},
                                         {"__typename": "T2", "id1": "c", "id2": "d"}, None]}


def foo(n, t="A1"):
    if n == 0:
        return None
    return {"__typename": t, "foo": f"{t}-{n}", "child": foo(n - 1, "A2"), "child2": foo(n - 1, "A3")}


RESOLVERS = {"Subgraph1": {"Query": {
    "parent": lambda p, a, i: {"childs": [{"id": "c1"}, {"id": "c2"}]},
    "owner": lambda p, a, i: OWNER,
    "fruit": lambda p, a, i: {"__typename": "Apple", "edible": True, "hasStem": False},
    "fruits": lambda p, a, i: [{"__typename": "Banana", "edible": True, "inBunch": True}, {"__typename": "Apple", "edible": False, "hasStem": True}],
    "a": lambda p, a, i: foo(5, "A2"),
}}}
