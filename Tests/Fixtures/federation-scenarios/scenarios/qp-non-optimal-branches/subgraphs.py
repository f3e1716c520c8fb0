"""Apollo 'correctly generate plan built from some non-individually optimal branch options'."""
RESOLVERS = {
    "s1": {"Query": {"t": lambda p, a, i: {"x": 7}}},
    "s2": {"Query": {"t": lambda p, a, i: {"id": "t"}}},
    "s3": {"T": {"__resolveReference": lambda rep, info: {"id": rep["id"], "x": 7, "y": 8}}},
}
