"""@interfaceObject with access control — a protected field added through an interface
object (ratings: Media.secretNotes @authenticated), an interface object protected as a type
(restricted: Media @requiresScopes(staff), adding internalCode and a root field), and a protected
implementation (Movie needs `movies`). Apollo Federation 2.9+ refuses these placements at
composition (AUTH_REQUIREMENTS_APPLIED_ON_INTERFACE); the probe checks what Switchyard serves."""
CALLS = []

MEDIA = {"b1": {"__typename": "Book", "id": "b1", "title": "Dune", "isbn": "978"},
         "m1": {"__typename": "Movie", "id": "m1", "title": "Alien", "runtime": 117}}

RESOLVERS = {
    "media": {
        "Query": {
            "media": lambda p, a, i: [dict(MEDIA["b1"]), dict(MEDIA["m1"])],
            "book": lambda p, a, i: dict(MEDIA["b1"]),
        },
        "Media": {"__resolveReference": lambda rep, info: dict(MEDIA[rep["id"]])},
        "Book": {"__resolveReference": lambda rep, info: dict(MEDIA[rep["id"]])},
        "Movie": {"__resolveReference": lambda rep, info: dict(MEDIA[rep["id"]])},
    },
    "ratings": {
        "Media": {
            "__resolveReference": lambda rep, info: {"id": rep["id"], "rating": 5},
            "secretNotes": lambda p, a, i: (CALLS.append("Media.secretNotes"), "SECRET-notes-" + p["id"])[1],
        },
    },
    "restricted": {
        "Query": {"topMedia": lambda p, a, i: {"id": "b1"}},
        "Media": {
            "__resolveReference": lambda rep, info: {"id": rep["id"]},
            "internalCode": lambda p, a, i: (CALLS.append("Media.internalCode"), "SECRET-code-" + p["id"])[1],
        },
    },
}


def _reset():
    CALLS.clear()
    return True


HOOKS = {"reset": _reset, "calls": lambda: list(CALLS)}
