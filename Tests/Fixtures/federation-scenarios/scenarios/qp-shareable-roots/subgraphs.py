"""Apollo 'shareable root fields' tests: me answered by three subgraphs, fields by one each."""
RESOLVERS = {
    "s1": {"Query": {"me": lambda p, a, i: {"id": "u1", "prop1": "p1", "f0": 0, "f1": 1}},
           "User": {"__resolveReference": lambda rep, info: {"id": rep["id"], "prop1": "p1", "f0": 0, "f1": 1}}},
    "s2": {"Query": {"me": lambda p, a, i: {"id": "u1", "prop2": "p2"}},
           "User": {"__resolveReference": lambda rep, info: {"id": rep["id"], "prop2": "p2"}}},
    "s3": {"Query": {"me": lambda p, a, i: {"id": "u1"}}},
}
