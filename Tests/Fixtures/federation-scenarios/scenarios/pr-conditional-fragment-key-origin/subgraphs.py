"""Found by a differential probe (round 7, in the new world y1: `driver(id:"dr1") { current { org { name } ... @include(if: $b) { range } } }`,
with Vehicle's compound key `org { id } number`). A @requires field of the ROOT's own subgraph
(`range @requires(fields: "fuel owner { name }")`) on an entity with a compound key that nests an
object (`Car @key(fields: "owner { id } number")`), reached through a value type (`driver { car }`),
selected in a conditional FRAGMENT beside an unconditional `owner { name }` (name is b's). The planner
selects the car's key only inside the conditional fragment: `driver{car{...@include(if:$b){__typename
owner{id __typename} number}}}` (y1: `current{...@include(if:$b){__typename org{id __typename} number}}`),
while the unconditional `owner { name }` is answered by b through that same key. With $b false the
car has no `owner` at all: "Cannot return null for non-nullable field Car.owner", and `car` is null.
A first version of this case, with `Car @key(fields: "id")` returned by the root field itself, did not show it.
Right today: the field form (`range @include(if: $b)`), $b true, and `owner { id }` instead of
`owner { name }`.
"""

CARS = {("o1", 1): 40, ("o2", 1): None}
ORGS = {"o1": "Acme", "o2": None}
DRIVERS = [("Ann", ("o1", 1)), ("Ben", ("o2", 1)), ("Cy", None)]


def rng(fuel, name):
    return None if fuel is None or name is None else fuel + len(name)


def a_car(k):
    return None if k is None else {"__typename": "Car", "owner": {"__typename": "Org", "id": k[0]}, "number": k[1]}


RESOLVERS = {
    "a": {"Query": {"driver": lambda _, a, i: {"name": "Ann", "car": a_car(("o1", 1))},
                    "drivers": lambda _, a, i: [{"name": n, "car": a_car(k)} for n, k in DRIVERS]},
          "Car": {"__resolveReference": lambda rep, i: {**a_car((rep["owner"]["id"], rep["number"])),
                                                        "range": lambda a, i: rng(rep["fuel"], rep["owner"]["name"])}}},
    "b": {"Car": {"__resolveReference": lambda rep, i: {"owner": {"__typename": "Org", "id": rep["owner"]["id"], "name": ORGS[rep["owner"]["id"]]},
                                                      "number": rep["number"], "fuel": CARS[(rep["owner"]["id"], rep["number"])]}},
          "Org": {"__resolveReference": lambda rep, i: {"id": rep["id"], "name": ORGS[rep["id"]]}}},
}

MONOLITH_SDL = """
type Query { driver: Driver drivers: [Driver] }
type Driver { name: String car: Car }
type Car { owner: Org! number: Int! fuel: Int range: Int }
type Org { id: ID! name: String }
"""


def m_car(k):
    if k is None:
        return None
    f = CARS[k]
    return {"owner": {"id": k[0], "name": ORGS[k[0]]}, "number": k[1], "fuel": f, "range": rng(f, ORGS[k[0]])}


MONOLITH = {"Query": {"driver": lambda _, a, i: {"name": "Ann", "car": m_car(("o1", 1))},
                      "drivers": lambda _, a, i: [{"name": n, "car": m_car(k)} for n, k in DRIVERS]}}

TESTS = [
    ("conditional fragment with a @requires field must not take the unconditional owner { name } with it",
     'query($b: Boolean!) { driver { car { owner { name } ... @include(if: $b) { range } } } }', {"b": False}),
    ("@skip form, in a list", 'query($b: Boolean!) { drivers { name car { owner { name } ... @skip(if: $b) { range } } } }', {"b": True}),
    ("(right today) condition true", 'query($b: Boolean!) { driver { car { owner { name } ... @include(if: $b) { range } } } }', {"b": True}),
    ("(right today) field form", 'query($b: Boolean!) { driver { car { owner { name } range @include(if: $b) } } }', {"b": False}),
    ("(right today) owner { id } instead of owner { name }", 'query($b: Boolean!) { driver { car { owner { id } ... @include(if: $b) { range } } } }', {"b": False}),
]
