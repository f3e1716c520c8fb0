"""Apollo context test 'before key resolution transition'."""
RESOLVERS = {
    "s1": {"Query": {"customer": lambda p, a, i: {"id": "c1", "child": {"id": "ch1"}, "identifiers": {"id": "i1", "legacyUserId": "L-42"}}}},
    "s2": {"Child": {"__resolveReference": lambda rep, info: {"id": rep["id"]},
                     "prop": lambda parent, args, info: f"{parent['id']}/{args.get('legacyUserId')}"}},
}
