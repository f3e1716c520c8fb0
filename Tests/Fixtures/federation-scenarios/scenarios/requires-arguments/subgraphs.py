"""@requires on fields that take arguments: insights' Playlist.introSeconds requires
`tracks(first: 3) { seconds }` and Playlist.badge requires `rating(scale: 5)`, while clients ask
the same fields with other arguments (literals, variables, variable defaults, an absent variable
that leaves the argument's own default, an explicit null), or with the very arguments of the
requirement. The gateway has to fetch the required arguments under another name when they differ,
put the value for the required arguments in the representation under the field's own name, and
answer the client with the arguments it asked for."""

PLAYLISTS = [
    {"id": "P1", "name": "Morning", "score": 87, "tracks": [
        {"title": "Sunrise", "seconds": 200}, {"title": "Coffee", "seconds": 180},
        {"title": "Commute", "seconds": 240}, {"title": "Inbox", "seconds": 150},
        {"title": "Standup", "seconds": 90}]},
    {"id": "P2", "name": "Night", "score": 42, "tracks": [
        {"title": "Moon", "seconds": 300}, {"title": "Owl", "seconds": 120}]},
]


def find(pid):
    return next((p for p in PLAYLISTS if p["id"] == pid), None)


def tracks(parent, args, info):
    first = args.get("first")  # the SDL default (4) applies when the argument is absent
    ts = [dict(t) for t in find(parent["id"])["tracks"]]
    return ts if first is None else ts[:first]


def rating(parent, args, info):
    return find(parent["id"])["score"] * args["scale"] // 100


def intro_seconds(parent, args, info):
    if "tracks" not in parent:
        raise Exception("introSeconds needs tracks(first: 3)")
    if any("seconds" not in t for t in parent["tracks"]):
        raise Exception("introSeconds needs the tracks' seconds")
    if len(parent["tracks"]) > 3:
        raise Exception(f"introSeconds got {len(parent['tracks'])} tracks, not tracks(first: 3)")
    return sum(t["seconds"] for t in parent["tracks"])


def badge(parent, args, info):
    if "rating" not in parent:
        raise Exception("badge needs rating(scale: 5)")
    return f"{parent['rating']} of 5"


RESOLVERS = {
    "catalog": {
        "Query": {"playlists": lambda parent, args, info: [{"id": p["id"], "name": p["name"]} for p in PLAYLISTS]},
        "Playlist": {
            "__resolveReference": lambda rep, info: {"id": rep["id"], "name": find(rep["id"])["name"]},
            "tracks": tracks,
            "rating": rating,
        },
    },
    "insights": {"Playlist": {"introSeconds": intro_seconds, "badge": badge}},
}
