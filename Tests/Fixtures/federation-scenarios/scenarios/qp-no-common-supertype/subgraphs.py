"""Apollo 'handles types with no common supertype at the same "mergeAt"': T1.sub is Foo, T2.sub
is Bar, both with y from s2 (same id value for a Foo and a Bar)."""
Y = {("Foo", "1"): 10, ("Bar", "1"): 20, ("Foo", "2"): 30}

RESOLVERS = {
    "s1": {"Query": {"t": lambda p, a, i: [{"__typename": "T1", "id": "t1", "sub": {"id": "1", "x": 1}},
                                           {"__typename": "T2", "id": "t2", "sub": {"id": "1", "x": 2}},
                                           {"__typename": "T1", "id": "t3", "sub": {"id": "2", "x": 3}}]}},
    "s2": {"Foo": {"__resolveReference": lambda rep, info: {"id": rep["id"], "y": Y[("Foo", rep["id"])]}},
           "Bar": {"__resolveReference": lambda rep, info: {"id": rep["id"], "y": Y[("Bar", rep["id"])]}}},
}
