"""Apollo 'merged abstract types handling: union/union interaction'."""
RESOLVERS = {"s1": {"Query": {"u1": lambda p, a, i: [{"__typename": "A", "v": 1}, {"__typename": "B", "v": 2}, {"__typename": "C", "v": 3}]}}}
