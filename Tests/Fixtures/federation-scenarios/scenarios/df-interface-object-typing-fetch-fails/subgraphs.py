"""An @interfaceObject subgraph (reviews) answers Media objects; the subgraph that owns the
interface (media) is asked which object type each is, and that `_entities` request fails whole
(`_entities` is non-null: `data` null, one error). The objects stayed known only by their
interface and were answered with `"__typename": "Media"` — an interface's name, which no response
may hold (§6.4.3) — beside their errors. Now they are null, as when media answers null for one
(probe 35A, differential fuzzing against one graphql-core server)."""


def media_ref(rep, info):
    raise Exception("media store unavailable")


def listed(p, a, i):
    return [{"__typename": "Media", "id": "v1", "rating": 4}, {"__typename": "Media", "id": "s2", "rating": 3}]


RESOLVERS = {
    "media": {
        "Query": {"media": lambda p, a, i: []},
        "Media": {"__resolveType": lambda o: "Song" if o["id"].startswith("s") else "Video"},
        "Song": {"__resolveReference": media_ref},
        "Video": {"__resolveReference": media_ref},
    },
    "reviews": {
        "Query": {"topMedia": listed, "someMedia": listed},
        "Media": {"__resolveReference": lambda rep, info: {**rep, "rating": 1}},
    },
}
