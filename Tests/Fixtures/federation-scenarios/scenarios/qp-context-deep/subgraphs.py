"""Apollo context test 'required field is several levels deep going back and forth between subgraphs'."""


def field(parent, args, info):
    a = args.get("a")
    return -1 if a is None else len(a)


RESOLVERS = {
    "s1": {"Query": {"t": lambda p, a, i: {"id": "t", "u": {"id": "u", "b": "bb"}, "a": {"id": "a"}}},
           "B": {"__resolveReference": lambda rep, info: {"id": rep["id"], "c": {"id": "c", "prop": "seven!!"}}},
           "U": {"__resolveReference": lambda rep, info: {"id": rep["id"], "b": "bb"}, "field": field}},
    "s2": {"Query": {"randomId": lambda p, a, i: "r"},
           "A": {"__resolveReference": lambda rep, info: {"id": rep["id"], "b": {"id": "b"}}}},
}
