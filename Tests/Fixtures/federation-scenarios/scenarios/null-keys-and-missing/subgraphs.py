"""Tracks keyed by a nullable `isrc`: home recordings have none, so their representations can't be
built and must be skipped (charts and rights raise on a null or missing isrc, and a fetch whose
every key is null must not be sent at all); fields of a skipped entity are null, and a non-null one
nulls its nearest nullable parent with an error. Charts doesn't know every isrc (its _entities
answers null), rights fails on one track's label (a field error with partial data) and crashes on
another (the whole _entities fetch fails); a null list item is no entity to fetch either; and charts' `chartWeek` root field errors while the
library's root field in the same operation succeeds."""

TRACKS = {
    "lantern": {"isrc": "QZ001", "title": "Lantern"},
    "demo": {"isrc": None, "title": "Demo take"},
    "harbour": {"isrc": "QZ002", "title": "Harbour Lights"},
    "bside": {"isrc": "QZ003", "title": "Unreleased B-side"},
    "memo": {"isrc": None, "title": "Voice memo"},
    "static": {"isrc": "QZ666", "title": "Static"},
}

PLAYLISTS = [
    {"name": "Morning", "tracks": ["lantern", "demo", "harbour"]},
    {"name": "Drafts", "tracks": ["demo", "memo"]},
    {"name": "Mixed", "tracks": ["bside", "lantern"]},
    {"name": "Broken", "tracks": ["static", "lantern"]},
    {"name": "Gaps", "tracks": [None, "harbour"]},  # a removed track leaves a null item
]

CHARTS = {"QZ001": {"plays": 5400, "peak": 3}, "QZ002": {"plays": 120, "peak": 41}}

LABELS = {"QZ001": "Northern Wax", "QZ003": "Self-released"}


def playlist(p):
    return {"name": p["name"], "tracks": [dict(TRACKS[t]) if t else None for t in p["tracks"]]}


def isrc_of(rep, where):
    if rep.get("isrc") is None:
        raise Exception(f"{where}: a Track representation without isrc (null keys must not be sent)")
    return rep["isrc"]


def charts_track(rep, info):
    isrc = isrc_of(rep, "charts")
    found = CHARTS.get(isrc)
    return None if found is None else {"isrc": isrc, **found}


def rights_track(rep, info):
    isrc = isrc_of(rep, "rights")
    if isrc == "QZ666":
        return Exception("rights: lookup crashed")  # fails the whole _entities field
    return {"isrc": isrc}


def rights_label(track, args, info):
    if track["isrc"] == "QZ002":
        raise Exception("rights: record for QZ002 is locked")
    return LABELS.get(track["isrc"])


def chart_week(parent, args, info):
    raise Exception("charts: this week's chart is not published yet")


RESOLVERS = {
    "library": {
        "Query": {
            "playlists": lambda parent, args, info: [playlist(p) for p in PLAYLISTS],
            "playlist": lambda parent, args, info: next((playlist(p) for p in PLAYLISTS if p["name"] == args["name"]), None),
        },
        "Track": {"__resolveReference": lambda rep, info: next(
            (dict(t) for t in TRACKS.values() if t["isrc"] is not None and t["isrc"] == isrc_of(rep, "library")), None)},
    },
    "charts": {
        "Query": {"chartWeek": chart_week},
        "Track": {"__resolveReference": charts_track},
    },
    "rights": {
        "Track": {"__resolveReference": rights_track, "label": rights_label},
    },
}
