"""Apollo 'Type Condition field merging': 'does not eagerly merge fields on different type conditions ... with interface'
and '... with interface and condition on interface' (searchSubgraph with entity interfaces). The same section s1 is
under a movie and an article, so it gets both arguments. artwork(params) = "<id>:<params>"; title = "T-<id>"."""
ECS = lambda i: {"__typename": "EntityCollectionSection", "id": i}
GS = lambda i: {"__typename": "GallerySection", "id": i}
SEARCH = [
    {"__typename": "MovieResult", "id": "m1", "sections": [ECS("s1"), GS("g1")]},
    {"__typename": "ArticleResult", "id": "a1", "sections": [ECS("s1"), ECS("s2")]},
    {"__typename": "SeriesResult", "id": "se1", "sections": [ECS("s3"), ECS("s1")]},
]
RESOLVERS = {
    "searchSubgraph": {"Query": {"search": lambda p, a, i: SEARCH}},
    "artworkSubgraph": {"EntityCollectionSection": {"title": lambda p, a, i: "T-" + p["id"],
                                                     "artwork": lambda p, a, i: f"{p['id']}:{a.get('params')}"},
                        "GallerySection": {"artwork": lambda p, a, i: f"{p['id']}:{a.get('params')}"}},
}
