"""A field under @skip with a variable (`lines @skip(if: $s) { item { label } }`) beside a field whose
@requires selects the same field (`total @requires(fields: "lines { qty item { weight } }")`): the
gateway fetches the skipped subselection (item.label) anyway, for the requires. Item.label is null
for X3 (a String!), which nulls item (Item!), the line, `lines` ([Line!]!) and so the whole order:
the client gets `order: null` and an error for a field it skipped. With `note` (nullable, raising),
an error the client did not ask for."""

ITEMS = {"A1": {"weight": 2, "label": "anvil"}, "X3": {"weight": 3, "label": None}}
LINES = [("A1", 2), ("X3", 1)]


def note(sku, a, i):
    if sku == "X3":
        raise Exception("note lookup failed")
    return "ok"


def item(sku):
    return {"__typename": "Item", "sku": sku, **ITEMS[sku], "note": lambda a, i, s=sku: note(s, a, i)}


RESOLVERS = {
    "orders": {
        "Query": {"order": lambda _, a, i: {"__typename": "Order", "id": "o1",
                                            "lines": [{"qty": q, "item": {"__typename": "Item", "sku": s}} for s, q in LINES]}},
    },
    "items": {
        "Item": {"__resolveReference": lambda rep, i: item(rep["sku"])},
    },
    "billing": {
        "Order": {"__resolveReference": lambda rep, i: {"id": rep["id"], "total": sum(l["qty"] * l["item"]["weight"] for l in rep["lines"])}},
    },
}

MONOLITH_SDL = """
type Query { order: Order }
type Order { id: ID! lines: [Line!]! total: Int }
type Line { qty: Int! item: Item! }
type Item { sku: String! weight: Int! label: String! note: String }
"""
MONOLITH = {"Query": {"order": lambda _, a, i: {"id": "o1", "total": 7,
                                                "lines": [{"qty": q, "item": item(s)} for s, q in LINES]}}}

TESTS = [
    ("skipped lines: a null in them must not null the order",
     "query($s: Boolean!) { order { total lines @skip(if: $s) { item { label } } } }", {"s": True}),
    ("skipped lines: no error from them",
     "query($s: Boolean!) { order { total lines @skip(if: $s) { item { note } } } }", {"s": True}),
    ("excluded fragment, same",
     "query($i: Boolean!) { order { total ... @include(if: $i) { lines { item { label } } } } }", {"i": False}),
    ("without total (right today)",
     "query($s: Boolean!) { order { id lines @skip(if: $s) { item { label } } } }", {"s": True}),
]
