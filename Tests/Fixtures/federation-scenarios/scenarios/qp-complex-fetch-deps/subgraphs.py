"""Apollo 'does not error on some complex fetch group dependencies'."""
RESOLVERS = {
    "s1": {"Query": {"me": lambda p, a, i: {"id": "u"}}},
    "s2": {"Query": {"me": lambda p, a, i: {"id": "u", "p": {"id": "p1"}}},
           "User": {"__resolveReference": lambda rep, info: {"id": rep["id"], "p": {"id": "p1"}}}},
    "s3": {"Query": {"me": lambda p, a, i: {"id": "u"}},
           "Props": {"__resolveReference": lambda rep, info: {"id": rep["id"], "v0": 0, "t": {"id": "t", "v1": {"x": 1}, "v2": {"x": 2}, "user": {"id": "u"}}}}},
}
