"""Apollo 'interface type-explosion: handles non-matching value types under interface field'."""
RESOLVERS = {
    "s1": {"Query": {"i": lambda p, a, i: [{"__typename": "T", "id": "1", "s": {"x": 1}}, {"__typename": "T", "id": "2", "s": {"x": 2}}]}},
    "s2": {"T": {"__resolveReference": lambda rep, info: {"id": rep["id"], "s": {"x": int(rep["id"]), "y": int(rep["id"]) * 10}}}},
}
