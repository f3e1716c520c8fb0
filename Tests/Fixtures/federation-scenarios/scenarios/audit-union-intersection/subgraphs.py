"""After the federation gateway audit's `union-intersection` suite (the-guild-org/graphql-federation-gateway-audit).

The union Media (and ViewerMedia) is Book | Song in a and Book | Movie in b; a's book fields are
typed Book where b's are Media / ViewerMedia. Every subgraph answers the same Book."""

MEDIA = {"__typename": "Book", "title": "The Lord of the Rings"}
SONG = {"__typename": "Song", "title": "Song Title"}

RESOLVERS = {
    "a": {
        "Query": {
            "media": lambda parent, args, info: dict(MEDIA),
            "book": lambda parent, args, info: dict(MEDIA),
            "song": lambda parent, args, info: dict(SONG),
            "viewer": lambda parent, args, info: {"media": dict(MEDIA), "book": dict(MEDIA), "song": dict(SONG)},
        },
    },
    "b": {
        "Query": {
            "media": lambda parent, args, info: dict(MEDIA),
            "book": lambda parent, args, info: dict(MEDIA),
            "viewer": lambda parent, args, info: {"media": dict(MEDIA), "book": dict(MEDIA)},
        },
    },
}
