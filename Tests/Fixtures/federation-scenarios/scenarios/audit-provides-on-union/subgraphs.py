"""After the federation gateway audit's `provides-on-union` suite (the-guild-org/graphql-federation-gateway-audit).

b's Query.media provides `... on Book { title }`; Movie.title lives in c. As the audit does by default
(PUNISH_FOR_POOR_PLANS=1), a's Query.media and c's Book reference resolver throw: Book.title must
come from b's @provides."""

PUNISH_FOR_POOR_PLANS = True

MEDIAS = [
    {"__typename": "Book", "id": "m1", "title": "Book 1"},
    {"__typename": "Movie", "id": "m2", "title": "Movie 1"},
]


def find(id_):
    return next((m for m in MEDIAS if m["id"] == id_), None)


def a_media(parent, args, info):
    if PUNISH_FOR_POOR_PLANS:
        raise Exception("You should not be using the 'a' subgraph!")
    return [{"__typename": m["__typename"], "id": m["id"]} for m in MEDIAS]


def b_media(parent, args, info):
    out = []
    for m in MEDIAS:
        if m["__typename"] == "Book":
            out.append({"__typename": m["__typename"], "id": m["id"], "title": m["title"]})
        else:
            out.append({"__typename": m["__typename"], "id": m["id"]})
    return out


def c_book_ref(key, info):
    if PUNISH_FOR_POOR_PLANS:
        raise Exception("You should be using the 'b' subgraph!")
    m = find(key["id"])
    return {"__typename": m["__typename"], "id": m["id"], "title": m["title"]} if m else None


def c_movie_ref(key, info):
    m = find(key["id"])
    return {"__typename": m["__typename"], "id": m["id"], "title": m["title"]} if m else None


RESOLVERS = {
    "a": {"Query": {"media": a_media}},
    "b": {"Query": {"media": b_media}},
    "c": {"Book": {"__resolveReference": c_book_ref}, "Movie": {"__resolveReference": c_movie_ref}},
}
