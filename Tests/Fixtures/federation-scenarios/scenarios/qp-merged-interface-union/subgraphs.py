"""Apollo 'merged abstract types handling: interface/union interaction': A is a U member in the
supergraph (from s2) but not in s1, which answers i."""
RESOLVERS = {"s1": {"Query": {"i": lambda p, a, i: [{"__typename": "A", "v": 1}, {"__typename": "B", "v": 2}, {"__typename": "C", "v": 3}]}}}
