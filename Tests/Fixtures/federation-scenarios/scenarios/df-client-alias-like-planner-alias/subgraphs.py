"""A client alias of the form `_<name>_<digits>` (`_f_1`, `_item_2`) is taken for one of the
planner's own aliases (`_id_44256`, see FetchNode.plannerAliases / PlanExecutor.clientPath): the path of an
error under such an alias is cut before it. The error then points at the parent object (or has
an empty path) instead of the field that failed. Its location moves to the parent as well. Such
aliases are ordinary client aliases, and generated queries use them (`_item_1`). So it was: now a
fetch knows its planner aliases by name (those the client's operation does not use). The monolith
(MONOLITH_SDL served by graphql-core) gives the expected error paths; errorsAt in tests.json checks
path and locations."""


def boom(*_):
    raise Exception("flaky failed")


def item(i):
    return {"__typename": "Item", "id": i, "flaky": boom}


RESOLVERS = {
    "shop": {
        "Query": {"item": lambda _, a, i: item("i1"), "items": lambda _, a, i: [item("i1"), item("i2")]},
        "Item": {"__resolveReference": lambda rep, i: item(rep["id"])},
    },
    "stock": {
        "Item": {"__resolveReference": lambda rep, i: {"id": rep["id"], "count": boom}},
    },
}

MONOLITH_SDL = """
type Query { item: Item items: [Item] }
type Item { id: ID! flaky: String count: Int }
"""
MONOLITH = {"Query": {"item": lambda _, a, i: dict(item("i1"), count=boom),
                      "items": lambda _, a, i: [dict(item("i1"), count=boom), dict(item("i2"), count=boom)]}}

TESTS = [
    ("error under an alias shaped like _name_digits (root fetch)", "{ item { _f_1: flaky } }"),
    ("the same alias on the root field: the path must not be empty", "{ _item_2: item { flaky } }"),
    ("error in an entity fetch under such an alias", "{ items { _count_3: count } }"),
    ("an ordinary alias (right today)", "{ item { f_1: flaky } }"),
]
