"""Apollo 'Field covariance and type-explosion: with federation 2 subgraphs'."""
RESOLVERS = {
    "s1": {"Query": {"dummy": lambda p, a, i: {"__typename": "Object", "id": "o1", "field": {"__typename": "Object", "id": "o2", "x": 2, "field": {"__typename": "Object", "id": "o3", "x": 3}}}}},
    "s2": {"Object": {"__resolveReference": lambda rep, info: {"id": rep["id"], "x": int(rep["id"][1:])}}},
}
