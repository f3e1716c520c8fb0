"""Found by a differential probe (round 7, in the new world y2). A @requires input that is a NESTED field with an argument
(`tax @requires(fields: "maker { rank(scope: \"eu\") }")`), while the client also selects that
nested field with other arguments (`maker { rank }`, default scope "all"). When the owner's fields are
fetched by an ENTITY fetch (here: Product reached from Review), the planner puts both into one
selection without an alias: `_entities { ... on Product { maker { rank(scope:"eu") rank } } }`. The
subgraph refuses the whole document ("Fields 'rank' conflict because they have differing arguments"),
so every product loses maker AND tax, with one error per entity.
Even the client's `rank(scope: "eu")` conflicts: its literal is sent as `$_v0`, and `rank(scope:"eu")`
and `rank(scope:$_v0)` are different arguments to the subgraph's validation.
Right today: the same in a ROOT fetch (`product(id:) { tax maker { rank } }`: the planner aliases
`_rank_NNN: rank(scope:"eu")`), and a top-level required field with an argument in an entity fetch
(`cost @requires(fields: "weight(unit: \"kg\")")` with the client's `weight`), which is aliased.
With @defer the same missing alias gives WRONG DATA WITHOUT ANY ERROR (seen in y2):
`{ reviews { product { maker { ... @defer { rank(scope: "us") } } tax } } }` plans
`cat: maker{__typename id rank(scope:"eu")}` (the required input, no alias), a deferred
`cat: Maker{rank(scope:$_v0)}` (the client's), and `price: {maker{rank}} => tax`. The deferred answer
(null for "us") is merged under the same key `rank`, and the first payload has `tax: null` for every
product (10 expected), with no error. In the @defer form, subgraph c shows what it was
sent: its resolver fails with "unsupported operand type(s) for *: 'NoneType' and 'int'", because the
representation carries `maker: {rank: null}` (the client's "us" value) instead of the required 1.
"""

PRODUCTS = {"p1": ("m1", 1200), "p2": (None, 40)}
MAKERS = {"m1": {"eu": 1, "all": 5}}
REVIEWS = [("r1", "p1"), ("r2", "p2")]


def weight(w, unit):
    return w // 1000 if unit == "kg" else w


def b_product(p):
    m, w = PRODUCTS[p]
    return {"__typename": "Product", "id": p, "maker": None if m is None else {"__typename": "Maker", "id": m, "rank": lambda a, i, m=m: MAKERS[m].get(a["scope"])},
            "weight": lambda a, i, w=w: weight(w, a["unit"])}


RESOLVERS = {
    "a": {"Query": {"reviews": lambda _, a, i: [{"__typename": "Review", "id": r, "product": {"__typename": "Product", "id": p}} for r, p in REVIEWS]}},
    "b": {"Query": {"product": lambda _, a, i: b_product(a["id"])},
          "Product": {"__resolveReference": lambda rep, i: b_product(rep["id"])},
          "Maker": {"__resolveReference": lambda rep, i: {"id": rep["id"], "rank": lambda a, i: MAKERS[rep["id"]].get(a["scope"])}}},
    "c": {"Product": {"__resolveReference": lambda rep, i: {"id": rep["id"],
                                                           "tax": lambda a, i: None if rep["maker"] is None else rep["maker"]["rank"] * 10,
                                                           "cost": lambda a, i: rep["weight"] * 3}}},
}

MONOLITH_SDL = """
type Query { reviews: [Review] product(id: ID!): Product }
type Review { id: ID! product: Product }
type Product { id: ID! maker: Maker weight(unit: String = "g"): Int tax: Int cost: Int }
type Maker { id: ID! rank(scope: String = "all"): Int }
"""


def m_product(p):
    m, w = PRODUCTS[p]
    return {"id": p, "maker": None if m is None else {"id": m, "rank": lambda a, i, m=m: MAKERS[m].get(a["scope"])},
            "weight": lambda a, i, w=w: weight(w, a["unit"]), "tax": None if m is None else MAKERS[m]["eu"] * 10, "cost": weight(w, "kg") * 3}


MONOLITH = {"Query": {"reviews": lambda _, a, i: [{"id": r, "product": m_product(p)} for r, p in REVIEWS],
                      "product": lambda _, a, i: m_product(a["id"])}}

TESTS = [
    ("entity fetch: required maker { rank(scope: eu) } and the client's maker { rank } must not conflict",
     '{ reviews { product { tax maker { rank } } } }'),
    ("the client's rank with another explicit argument", '{ reviews { product { tax maker { r: rank(scope: "us") rank(scope: "all") } } } }'),
    ("the same with the fields in the other order", '{ reviews { product { maker { rank } tax } } }'),
    ("(right today) the same in a root fetch (aliased there)", '{ product(id: "p1") { tax maker { rank } } }'),
    ("the client's rank with the SAME argument (its literal becomes $_v0, so it conflicts too)", '{ reviews { product { tax maker { rank(scope: "eu") } } } }'),
    ("(right today) a top-level required field with an argument in an entity fetch", '{ reviews { product { cost weight } } }'),
]
