"""Apollo context test 'variable is from different subgraph' (root made a list; two T with the
same U, so the same U entity gets different context values)."""
PROP = {"t1": "hello", "t2": "hi!"}


def field(parent, args, info):
    a = args.get("a")
    return -1 if a is None else len(a)


RESOLVERS = {
    "s1": {"Query": {"t": lambda p, a, i: [{"id": "t1", "u": {"id": "u1"}}, {"id": "t2", "u": {"id": "u1"}}]},
           "U": {"__resolveReference": lambda rep, info: {"id": rep["id"]}, "field": field}},
    "s2": {"Query": {"a": lambda p, a, i: 1},
           "T": {"__resolveReference": lambda rep, info: {"id": rep["id"], "prop": PROP[rep["id"]]}}},
}
