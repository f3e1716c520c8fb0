"""An @interfaceObject list (`shelf` knows Media only as an object) whose concrete types and fields
come from `catalog`. When catalog's _entities answer nulls an entity (Podcast.title: String! is null
for d2), the gateway keeps the item as an object — `{}`, or `{"__typename": "Media"}` (an interface
name as __typename) — instead of null, and does not propagate the null through `[Media!]`, as
soon as the fields sit under a type condition (`... on Podcast`). Without the type condition
(`items { title }`) it is right."""

MEDIA = {"b1": ("Book", "Dune"), "d2": ("Podcast", None)}


def media(id_):
    t, title = MEDIA[id_]
    return {"__typename": t, "id": id_, "title": title}


RESOLVERS = {
    "catalog": {
        "Media": {"__resolveReference": lambda rep, i: media(rep["id"])},
        "Book": {"__resolveReference": lambda rep, i: media(rep["id"])},
        "Podcast": {"__resolveReference": lambda rep, i: media(rep["id"])},
    },
    "shelf": {
        "Query": {
            "items": lambda _, a, i: [{"__typename": "Media", "id": x} for x in MEDIA],
            "strictItems": lambda _, a, i: [{"__typename": "Media", "id": x} for x in MEDIA],
        },
    },
}

MONOLITH_SDL = """
type Query { items: [Media] strictItems: [Media!] }
interface Media { id: ID! title: String! }
type Book implements Media { id: ID! title: String! }
type Podcast implements Media { id: ID! title: String! }
"""
MONOLITH = {"Query": {"items": lambda _, a, i: [media(x) for x in MEDIA],
                      "strictItems": lambda _, a, i: [media(x) for x in MEDIA]}}

TESTS = [
    ("nullable item under a type condition: the nulled entity is null",
     "{ items { ... on Podcast { title } } }"),
    ("with __typename: never the interface object's name",
     "{ items { __typename ... on Podcast { title } } }"),
    ("non-null item: the null propagates to the list",
     "{ strictItems { id ... on Podcast { title } } }"),
    ("without a type condition (right today)",
     "{ items { title } }"),
]
