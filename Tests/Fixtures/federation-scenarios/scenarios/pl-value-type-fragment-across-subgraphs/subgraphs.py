"""A shared root field of a value type (no key) whose fields two subgraphs answer, asked inside
an inline fragment — with or without `@defer` —: each part of the fragment goes to the subgraph
that has it, as the fields would bare. The fragment was planned whole in one subgraph and the
operation refused (QUERY_PLANNING_FAILED): `@defer` turned an answerable query into an error."""

PRODUCTS = [{"id": "p1", "name": "Chair", "price": 30}, {"id": "p2", "name": "Desk", "price": 120}]


def pick(field):
    return lambda _, a, i: [{"__typename": "Product", "id": p["id"], field: p[field]} for p in PRODUCTS]


def pick_one(field):
    return lambda _, a, i: {"__typename": "Product", "id": "p1", field: PRODUCTS[0][field]}


RESOLVERS = {
    "name": {"Query": {"products": pick("name"), "product": pick_one("name")}},
    "price": {"Query": {"products": pick("price"), "product": pick_one("price")}},
}
