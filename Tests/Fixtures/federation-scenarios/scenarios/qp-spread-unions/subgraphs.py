"""Apollo 'handles spread unions correctly': in s1, C is not a member of U."""
RESOLVERS = {
    "s1": {"Query": {"u": lambda p, a, i: [{"__typename": "A", "id": "a", "a1": 1}, {"__typename": "B", "id": "b", "b": 2}]},
           "A": {"__resolveReference": lambda rep, info: {"id": rep["id"], "a1": 1}},
           "C": {"__resolveReference": lambda rep, info: {"id": rep["id"], "c1": 100}}},
    "s2": {"Query": {"otherQuery": lambda p, a, i: [{"__typename": "C", "id": "c", "c2": 3}, {"__typename": "A", "id": "a", "a2": 4}]},
           "A": {"__resolveReference": lambda rep, info: {"id": rep["id"], "a2": 4}}},
}
