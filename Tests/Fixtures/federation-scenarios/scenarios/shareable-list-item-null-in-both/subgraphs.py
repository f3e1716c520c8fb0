"""A @shareable list of a @shareable value type whose fields two subgraphs split: catalog answers
`Spec.name`, details `Spec.tag`, each for the same list. P2's second spec is null in both (a
list of non-null items): each subgraph reports its own "Cannot return null" at the same path,
and the client — as a client of one schema — gets that error once, not once per subgraph."""

SPECS = {
    "P1": [{"name": "width", "tag": "w"}],
    "P2": [{"name": "height", "tag": "h"}, None],
    "P3": [],
}


def specs(field):
    def resolve(product, args, info):
        return [None if s is None else {field: s[field]} for s in SPECS[product["id"]]]
    return resolve


RESOLVERS = {
    "catalog": {
        "Query": {"products": lambda _, args, info: [{"id": p} for p in SPECS]},
        "Product": {"__resolveReference": lambda rep, info: {"id": rep["id"]}, "specs": specs("name")},
    },
    "details": {
        "Product": {"__resolveReference": lambda rep, info: {"id": rep["id"]}, "specs": specs("tag")},
    },
}
