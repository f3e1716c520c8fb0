"""Apollo 'Type Condition field merging': the same entity field with different arguments under
different parent type conditions (the same section entity reached from a movie and an article)."""

SEARCH = [
    {"__typename": "MovieResult", "id": "m1", "sections": [{"__typename": "EntityCollectionSection", "id": "s1"}, {"__typename": "GallerySection", "id": "g1"}]},
    {"__typename": "ArticleResult", "id": "a1", "sections": [{"__typename": "EntityCollectionSection", "id": "s2"}, {"__typename": "EntityCollectionSection", "id": "s1"}]},
]


def artwork(parent, args, info):
    return f"{parent['id']}:{args.get('params')}"


RESOLVERS = {
    "search": {"Query": {"search": lambda p, a, i: SEARCH}},
    "artwork": {"Query": {"me": lambda p, a, i: "me"},
                "EntityCollectionSection": {"__resolveReference": lambda rep, info: {"id": rep["id"], "title": "T-" + rep["id"]}, "artwork": artwork},
                "GallerySection": {"__resolveReference": lambda rep, info: {"id": rep["id"]}, "artwork": artwork}},
}
