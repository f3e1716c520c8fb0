"""Apollo overrides tests (progressive override on root, entity and nested entity fields) with
labels percent(0) / percent(100) so that the outcome is fixed: each subgraph answers with its
own name so the answer shows who was asked."""
RESOLVERS = {
    "s1": {"Query": {"hello": lambda p, a, i: "s1", "t": lambda p, a, i: {"id": "t", "f1": "s1-T.f1"},
                     "t2": lambda p, a, i: {"id": "t2", "f1": "s1-T2.f1", "t": {"id": "tt", "f1": "s1-T.f1"}}},
           "T": {"__resolveReference": lambda rep, info: {"id": rep["id"], "f1": "s1-T.f1"}},
           "T2": {"__resolveReference": lambda rep, info: {"id": rep["id"], "f1": "s1-T2.f1", "t": {"id": "tt"}}}},
    "s2": {"Query": {"hello": lambda p, a, i: "s2"},
           "T": {"__resolveReference": lambda rep, info: {"id": rep["id"], "f1": "s2-T.f1", "f2": "s2-T.f2"}},
           "T2": {"__resolveReference": lambda rep, info: {"id": rep["id"], "f1": "s2-T2.f1", "f2": "s2-T2.f2"}}},
}
