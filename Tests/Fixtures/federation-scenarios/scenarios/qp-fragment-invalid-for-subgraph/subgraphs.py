"""Apollo 'do not try to apply fragments that are not valid for the subgaph': I.b exists only in Subgraph2's I (which has no implementation there)."""
RESOLVERS = {"Subgraph1": {"Query": {"i1": lambda p, a, i: {"__typename": "T", "a": 1, "b": 2},
                                     "i2": lambda p, a, i: {"__typename": "T", "a": 3, "b": 4}}}}
