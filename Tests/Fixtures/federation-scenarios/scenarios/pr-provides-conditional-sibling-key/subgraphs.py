"""Found by a differential probe (round 7, in the new world y2). On a path with `@provides(fields: "product { maker { name } }")`
the client asks `product { maker { country } }` (country is not provided: it needs b) and, in a
conditional fragment, `... @skip(if: $b) { product { tags } }` (also b). The planner answers both with
ONE entity fetch of Product in b, `...@skip(if:$b){tags} maker{country}`, but the root fetch selects the
product's key only inside the conditional copy: `top{...@skip(if:$b){product{__typename id}} product{__typename}}`.
With $b true there is no `id`, the representation cannot be written, the fetch is silently left out,
and the UNCONDITIONAL `maker { country }` comes back `maker: null`, with no error.
Without the fragment, the plan goes through the Maker key (`maker{__typename id}` then Maker in b) and is
right; so is `product @skip(if: $b) { tags }` (a conditional field instead of a fragment), and the same
operation on a field without @provides (`all`).
"""

PRODUCTS = {"p1": ("m1", ["home"]), "p2": (None, []), "p3": ("m2", None)}
MAKERS = {"m1": ("Lux", "SE"), "m2": ("Bo", None)}
REVIEWS = [("r1", "p1"), ("r2", "p2"), ("r3", "p3")]


def a_review(r, p, provide):
    m = PRODUCTS[p][0]
    prod = {"__typename": "Product", "id": p}
    if provide:
        prod["maker"] = None if m is None else {"__typename": "Maker", "id": m, "name": MAKERS[m][0]}
    return {"__typename": "Review", "id": r, "product": prod}


def b_product(p):
    m, tags = PRODUCTS[p]
    return {"__typename": "Product", "id": p, "tags": tags,
            "maker": None if m is None else {"__typename": "Maker", "id": m, "name": MAKERS[m][0], "country": MAKERS[m][1]}}


RESOLVERS = {
    "a": {"Query": {"top": lambda _, a, i: [a_review(r, p, True) for r, p in REVIEWS],
                    "all": lambda _, a, i: [a_review(r, p, False) for r, p in REVIEWS]}},
    "b": {"Product": {"__resolveReference": lambda rep, i: b_product(rep["id"])},
          "Maker": {"__resolveReference": lambda rep, i: {"id": rep["id"], "name": MAKERS[rep["id"]][0], "country": MAKERS[rep["id"]][1]}}},
}

MONOLITH_SDL = """
type Query { top: [Review] all: [Review] }
type Review { id: ID! product: Product }
type Product { id: ID! maker: Maker tags: [String] }
type Maker { id: ID! name: String country: String }
"""


def m_review(r, p):
    m, tags = PRODUCTS[p]
    return {"id": r, "product": {"id": p, "tags": tags, "maker": None if m is None else {"id": m, "name": MAKERS[m][0], "country": MAKERS[m][1]}}}


MONOLITH = {"Query": {"top": lambda _, a, i: [m_review(r, p) for r, p in REVIEWS],
                      "all": lambda _, a, i: [m_review(r, p) for r, p in REVIEWS]}}

TESTS = [
    ("provided path: skipped fragment must not take the unconditional maker { country } with it",
     'query($b: Boolean!) { top { product { maker { country } } ... @skip(if: $b) { product { tags } } } }', {"b": True}),
    ("@include form", 'query($b: Boolean!) { top { product { maker { country } } ... @include(if: $b) { product { tags } } } }', {"b": False}),
    ("with the provided name selected too", 'query($b: Boolean!) { top { product { maker { name country } } ... @skip(if: $b) { product { tags } } } }', {"b": True}),
    ("(right today) condition the other way", 'query($b: Boolean!) { top { product { maker { country } } ... @skip(if: $b) { product { tags } } } }', {"b": False}),
    ("(right today) without the fragment", '{ top { product { maker { country } } } }'),
    ("(right today) a conditional field instead of a fragment", 'query($b: Boolean!) { top { product { maker { country } } product @skip(if: $b) { tags } } }', {"b": True}),
    ("(right today) the same on a field without @provides", 'query($b: Boolean!) { all { product { maker { country } } ... @skip(if: $b) { product { tags } } } }', {"b": True}),
]
