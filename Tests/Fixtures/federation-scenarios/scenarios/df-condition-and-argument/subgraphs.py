"""One client variable read in one subgraph fetch both as an argument (`reviews(recent: $v)`) and
as a condition (`reviewCount @include(if: $v)`), declared `Boolean = true` (allowed in the
non-null `if` for its default). Sent null, it is an error of the enclosing object (`product`,
located at `$v`), reported by the gateway once; before, the fetch carried `$v: null` to the
subgraph for both uses, which reported the condition's null as well (a second error, DOWNSTREAM).
The fetch now gives the conditions a variable of their own (`$__if_v`), sent true when null."""

PRODUCTS = {"1": "Lamp"}


def reviews(recent):
    return ["recent"] if recent else (["all", "of", "them"] if recent is False else ["unsaid"])


def product(id_):
    return {"id": id_, "name": PRODUCTS[id_]} if id_ in PRODUCTS else None


RESOLVERS = {
    "catalog": {
        "Query": {"product": lambda _, a, i: product(a["id"])},
        "Product": {"__resolveReference": lambda rep, i: product(rep["id"])},
    },
    "reviews": {
        "Product": {"__resolveReference": lambda rep, i: {"id": rep["id"], "reviewCount": 3,
                                                         "reviews": lambda a, i: reviews(a.get("recent"))}},
    },
}

MONOLITH_SDL = """
type Query { product(id: ID!): Product }
type Product { id: ID! name: String! reviews(recent: Boolean): [String!]! reviewCount: Int }
"""


def m_product(id_):
    p = product(id_)
    return p and dict(p, reviewCount=3, reviews=lambda a, i: reviews(a.get("recent")))


MONOLITH = {"Query": {"product": lambda _, a, i: m_product(a["id"])}}

Q = 'query($v: Boolean = true) { product(id: "1") { name reviews(recent: $v) reviewCount @include(if: $v) } }'
TESTS = [
    ("null: one error, at the variable", Q, {"v": None}),
    ("true: both", Q, {"v": True}),
    ("false: the argument only", Q, {"v": False}),
    ("left out: the default", Q),
]
