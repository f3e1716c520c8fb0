"""A type condition no object can reach (`... on Media { ... on Result { ... on Creator { f } } }`:
Creator is in the union Result but is no Media) was planned: its fields were merged into the
Creator entity fetch of a reachable `... on Creator`, its errors reported, and a non-null failure
there (`rank: Int!`, null for c1) nulled the reachable `name`. The conditions around a fragment now
narrow the objects it can apply to, and one that applies to none is not planned. The last test:
a subgraph's error is located at the field of the fragment that applies to its object (its
`__typename` in the merged answers), not the first field with its response key."""
CREATORS = {"c1": "Frank"}


def nickname(c, a, i):
    raise Exception("no nickname for " + c["id"])


def followers(c, a, i):
    raise Exception("followers unavailable for " + c["id"])


RESOLVERS = {
    "a": {
        "Query": {"search": lambda _, a, i: [{"__typename": "Book", "id": "b1", "title": "Dune"}, {"__typename": "Creator", "id": "c1"}]},
        "Book": {"__resolveReference": lambda rep, i: {"id": rep["id"], "title": "Dune"}},
        "Creator": {"__resolveReference": lambda rep, i: {"id": rep["id"]}},
    },
    "b": {
        "Creator": {"__resolveReference": lambda rep, i: {"id": rep["id"], "name": CREATORS[rep["id"]], "rank": None},
                    "followers": followers, "nickname": nickname},
    },
}
