"""Apollo context test 'with type conditions for union' (context set on a union)."""


def field(parent, args, info):
    a = args.get("a")
    return -1 if a is None else len(a)


RESOLVERS = {
    "s1": {"Query": {"t": lambda p, a, i: [{"__typename": "A", "id": "a", "prop": "four", "u": {"id": "u1", "b": "b1"}},
                                           {"__typename": "B", "id": "b", "prop": "sixsix", "u": {"id": "u2", "b": "b2"}}]},
           "U": {"__resolveReference": lambda rep, info: {"id": rep["id"], "b": "b" + rep["id"][1:]}, "field": field}},
    "s2": {"Query": {"a": lambda p, a, i: 1}},
}
