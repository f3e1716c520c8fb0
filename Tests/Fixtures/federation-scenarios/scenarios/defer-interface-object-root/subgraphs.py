"""A deferred field of an @interfaceObject type under a root field the @interfaceObject subgraph
(c) serves itself: `{ trending { id ... @defer { likes } } }` (likes: Int! is null for b2). It is
asked by a deferred entity fetch to c (through Media's key, as the interface), as for an object
type's field: before, it stayed in the root fetch — the first payload carried its error and
`trending[1]: null`, and waited for it."""
LIKES = {"b1": 5, "b2": None}
TITLES = {"b1": "Dune", "b2": "Emma"}


def slow(m, a, i):
    return "late"


RESOLVERS = {
    "a": {"Query": {"media": lambda _, a, i: [{"__typename": "Book", "id": k, "title": t} for k, t in TITLES.items()]},
          "Media": {"__resolveReference": lambda rep, i: {"__typename": "Book", "id": rep["id"], "title": TITLES[rep["id"]]}},
          "Book": {"__resolveReference": lambda rep, i: {"id": rep["id"], "title": TITLES[rep["id"]]}}},
    "c": {"Query": {"trending": lambda _, a, i: [{"__typename": "Media", "id": k, "likes": LIKES[k]} for k in TITLES],
                    "top": lambda _, a, i: {"__typename": "Media", "id": "b2", "likes": LIKES["b2"]}},
          "Media": {"__resolveReference": lambda rep, i: {"id": rep["id"], "likes": LIKES[rep["id"]]}, "slow": slow}},
}
