"""Apollo 'merged abstract types handling: union/interface interaction': A is an I in the
supergraph (from s2) but not in s1, which answers u."""
RESOLVERS = {"s1": {"Query": {"u": lambda p, a, i: [{"__typename": "A", "v": 1}, {"__typename": "B", "v": 2}, {"__typename": "C", "v": 3}]}}}
