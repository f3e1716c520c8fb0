"""Found by a differential probe (round 7, in the new world y2). Two @requires fields of one subgraph whose inputs share a
nested object: `tax @requires(fields: "maker { rank }")` and `shipping @requires(fields: "maker { country }")`.
The client selects one of them under a variable condition that is false (`tax @skip(if: $b)`, b true)
and the other unconditionally. When the owner's fields come by an ENTITY fetch (Product reached from
Review), the planner fetches `...@skip(if:$b){maker{rank}} maker{country}` but the next fetch's
representation still names `maker { rank country }`. With $b true, `rank` is missing, the
representation is incomplete and the entity is left out: `shipping` (and `name`, the client's plain
field of that fetch) come back null, with NO error. Products without a maker (null `maker`) are right.
The same the other way round (`tax` unconditional, `shipping @include(if: $b)` false).
Related to case 21 (a conditional @requires through another entity; passes on s39), which this build
fixed for a single @requires; here two @requires merge their inputs into one nested selection.
In a ROOT fetch the field form (`tax @skip(if: $b)`) is right, but the fragment form
(`... @skip(if: $b) { tax }`) fails the same way: the root fetch selects `maker{country} ...@skip(if:$b){maker{rank}}`
and the representation still names `maker { rank country }`. (y4 shows it with value-type inputs:
`kits { area ... @skip(if: $b) { volume } }`, `box{w}` and `box{w h}`: every kit loses `area`.)
Right today: the field form in a root fetch, and the condition true.
"""

PRODUCTS = {"p1": ("m1", "Lamp"), "p2": (None, "Desk"), "p3": ("m2", "Pen")}
MAKERS = {"m1": (1, "SE"), "m2": (None, None)}
REVIEWS = [("r1", "p1"), ("r2", "p2"), ("r3", "p3")]


def tax(rank):
    return None if rank is None else rank * 10


def shipping(country):
    return 3 if country is None else len(country)


def b_product(p):
    m, _n = PRODUCTS[p]
    return {"__typename": "Product", "id": p, "maker": None if m is None else {"__typename": "Maker", "id": m, "rank": MAKERS[m][0], "country": MAKERS[m][1]}}


RESOLVERS = {
    "a": {"Query": {"reviews": lambda _, a, i: [{"__typename": "Review", "id": r, "product": {"__typename": "Product", "id": p}} for r, p in REVIEWS]}},
    "b": {"Query": {"product": lambda _, a, i: b_product(a["id"])},
          "Product": {"__resolveReference": lambda rep, i: b_product(rep["id"])},
          "Maker": {"__resolveReference": lambda rep, i: {"id": rep["id"], "rank": MAKERS[rep["id"]][0], "country": MAKERS[rep["id"]][1]}}},
    "c": {"Product": {"__resolveReference": lambda rep, i: {"id": rep["id"], "name": PRODUCTS[rep["id"]][1],
                                                           "tax": lambda a, i: tax((rep["maker"] or {})["rank"]) if rep["maker"] else None,
                                                           "shipping": lambda a, i: shipping((rep["maker"] or {})["country"]) if rep["maker"] else 3}}},
}

MONOLITH_SDL = """
type Query { reviews: [Review] product(id: ID!): Product }
type Review { id: ID! product: Product }
type Product { id: ID! name: String maker: Maker tax: Int shipping: Int }
type Maker { id: ID! rank: Int country: String }
"""


def m_product(p):
    m, n = PRODUCTS[p]
    mk = None if m is None else {"id": m, "rank": MAKERS[m][0], "country": MAKERS[m][1]}
    return {"id": p, "name": n, "maker": mk, "tax": None if m is None else tax(MAKERS[m][0]), "shipping": 3 if m is None else shipping(MAKERS[m][1])}


MONOLITH = {"Query": {"reviews": lambda _, a, i: [{"id": r, "product": m_product(p)} for r, p in REVIEWS],
                      "product": lambda _, a, i: m_product(a["id"])}}

TESTS = [
    ("entity fetch: tax @skip(if: true) must not drop shipping", 'query($b: Boolean!) { reviews { product { tax @skip(if: $b) shipping } } }', {"b": True}),
    ("the client's plain field of the same fetch is lost too", 'query($b: Boolean!) { reviews { product { name tax @skip(if: $b) shipping } } }', {"b": True}),
    ("the other way round: shipping @include(if: false), tax unconditional", 'query($b: Boolean!) { reviews { product { tax shipping @include(if: $b) } } }', {"b": False}),
    ("fragment form", 'query($b: Boolean!) { reviews { product { shipping ... @skip(if: $b) { tax } } } }', {"b": True}),
    ("root fetch, fragment form: the inputs come from the root fetch, still dropped",
     'query($b: Boolean!) { product(id: "p1") { shipping ... @skip(if: $b) { tax } } }', {"b": True}),
    ("(right today) condition true", 'query($b: Boolean!) { reviews { product { tax @skip(if: $b) shipping } } }', {"b": False}),
    ("(right today) the same in a root fetch", 'query($b: Boolean!) { product(id: "p1") { tax @skip(if: $b) shipping } }', {"b": True}),
    ("(right today) literal @skip(if: true)", '{ reviews { product { tax @skip(if: true) shipping } } }'),
]
