"""A `@requires` field set that reads the requiring field's own arguments (`x(arg: $arg)`, Apollo's
requires-with-field-arguments): each selection of the requiring field fetches its input with its
own value in the variable's place — the client's variable, a literal, the argument's default, or
null when left out. Two selections with different values get two inputs (and two fetches)."""


def x(parent, args, info):
    return -1 if args.get("arg") is None else args["arg"] * 10


def plus_1000(parent, args, info):
    return None if parent.get("x") is None else parent["x"] + 1000


RESOLVERS = {
    "a": {"Query": {"t": lambda _, a, i: {"__typename": "T", "id": "t1"}},
          "T": {"y": plus_1000, "w": plus_1000}},
    "b": {"T": {"x": x}},
}
