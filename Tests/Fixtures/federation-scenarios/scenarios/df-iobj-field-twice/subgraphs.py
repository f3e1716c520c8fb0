"""An @interfaceObject field selected both on the interface and inside a type condition
(`media { rating ... on Book { rating } }`) is fetched twice: the plan has two identical
_entities fetches to `ratings` in parallel (paths `media` and `media|[Book]`). When the resolver
fails, the client got the same error twice at the same path (graphql-js: one error; one
field, merged): `errorCount` says one. The third test checks the request count (the two identical
fetches reach the subgraph once)."""

MEDIA = {"b1": ("Book", "Dune"), "b2": ("Book", "Emma"), "m1": ("Movie", "Alien")}
RATINGS = {"b1": 4.5, "b2": None, "m1": 4.0}


def rating(id_):
    if RATINGS[id_] is None:
        raise Exception("rating failed")
    return RATINGS[id_]


def media(id_):
    if id_ not in MEDIA:
        return None
    t, title = MEDIA[id_]
    return {"__typename": t, "id": id_, "title": title}


RESOLVERS = {
    "catalog": {
        "Query": {"media": lambda _, a, i: media(a["id"])},
        "Media": {"__resolveReference": lambda rep, i: media(rep["id"])},
        "Book": {"__resolveReference": lambda rep, i: media(rep["id"])},
        "Movie": {"__resolveReference": lambda rep, i: media(rep["id"])},
    },
    "ratings": {
        "Media": {"__resolveReference": lambda rep, i: {"id": rep["id"], "rating": lambda a, i, x=rep["id"]: rating(x)}},
    },
}

MONOLITH_SDL = """
type Query { media(id: ID!): Media }
interface Media { id: ID! title: String! rating: Float }
type Book implements Media { id: ID! title: String! rating: Float }
type Movie implements Media { id: ID! title: String! rating: Float }
"""


def m_media(id_):
    m = media(id_)
    return m and dict(m, rating=lambda a, i, x=id_: rating(x))


MONOLITH = {"Query": {"media": lambda _, a, i: m_media(a["id"])}}

TESTS = [
    ("one error for one field", '{ media(id: "b2") { rating ... on Book { rating } } }'),
    ("one error, with a named fragment", '{ media(id: "b2") { rating ...B } } fragment B on Book { rating }'),
]
