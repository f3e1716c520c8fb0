"""A mutation payload's `query: Query` (the Relay convention) whose selection reaches the root
fields of another subgraph: they are asked by a root query of that subgraph, after the mutation."""

ITEMS = ["lamp"]


def add_item(parent, args, info):
    ITEMS.append(args["name"])
    return {"item": {"name": args["name"]}, "query": {}}


def reset():
    ITEMS[:] = ["lamp"]
    return True


RESOLVERS = {
    "shop": {
        "Query": {"items": lambda p, a, i: [{"name": n} for n in ITEMS]},
        "Mutation": {"addItem": add_item},
    },
    "stats": {
        "Query": {"stats": lambda p, a, i: {"visitors": 42}, "motd": lambda p, a, i: "hello"},
    },
}

HOOKS = {"reset": reset}
