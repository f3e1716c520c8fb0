"""Apollo 'can require @inaccessible fields'."""
RESOLVERS = {
    "s1": {"Query": {"one": lambda p, a, i: {"id": "o1", "a": "secret", "onlyIn1": 1}, "onlyIn1": lambda p, a, i: 11}},
    "s2": {"Query": {"onlyIn2": lambda p, a, i: 22},
           "One": {"__resolveReference": lambda rep, info: {"id": rep["id"], "b": "b-" + rep["a"] if "a" in rep else None, "onlyIn2": 2}}},
}
