"""A `@shareable` field (`L.sel`) that one subgraph (price) has in its own key for the parent
(`@key(fields: "id sel { id }")`): to fetch `sel` the planner must not pick that key (it would need
`sel` to get `sel`) but the other subgraph's (list, by `id k`, `k` from extra), then go on to price
for `P.cat`. The shape of the Guild audit's complex-entity-call graph, where such queries were
refused with QUERY_PLANNING_FAILED."""

RESOLVERS = {
    "root": {"Query": {"top": lambda _, a, i: {"__typename": "L", "id": "l1"}}},
    "extra": {"L": {"k": lambda p, a, i: "K-" + p["id"]}},
    "list": {"L": {"sel": lambda p, a, i: {"__typename": "P", "id": "p-" + p["id"] + "-" + p["k"]}}},
    "price": {"P": {"cat": lambda p, a, i: "cat-" + p["id"]}},
}
