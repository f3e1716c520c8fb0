"""An entity interface and two @interfaceObject subgraphs in a museum: collection owns
`interface Exhibit @key(fields: "id")` with Painting and Sculpture; visits and audio add fields to
Exhibit as an @interfaceObject without knowing the implementations. Checks that interface-only
selections need no type resolution, that __typename (and fragments on implementations) from an
@interfaceObject root are answered by asking collection for the real type, that representations
sent to an @interfaceObject subgraph are typed `Exhibit` (never `Painting`/`Sculpture`, which those
subgraphs do not know), that two @interfaceObject subgraphs talk to each other without collection,
and that a list mixing implementations is fetched with one _entities request per subgraph."""

EXHIBITS = [
    {"__typename": "Painting", "id": "E1", "title": "Harbour at Dawn", "medium": "oil on canvas"},
    {"__typename": "Sculpture", "id": "E2", "title": "The Listener", "material": "bronze", "heightCm": 182},
    {"__typename": "Painting", "id": "E3", "title": "Blue Orchard", "medium": "watercolour"},
    {"__typename": "Sculpture", "id": "E4", "title": "Tidewater", "material": "marble", "heightCm": 95},
]

VISITS = {
    "E1": {"visitorCount": 1520, "rooms": ["North Hall"]},
    "E2": {"visitorCount": 870, "rooms": ["Courtyard", "West Wing"]},
    "E3": {"visitorCount": 310, "rooms": ["North Hall"]},
    "E4": {"visitorCount": 2240, "rooms": ["Atrium"]},
}

AUDIO = {"E1": "Track 12", "E2": "Track 7", "E3": "Track 3", "E4": None}

TOURS = [("Highlights", ["E4", "E1"]), ("Sculpture walk", ["E2", "E4"])]


def exhibit(id_):
    e = next((e for e in EXHIBITS if e["id"] == id_), None)
    return dict(e) if e else None


def collection_ref(rep, info):
    if "id" not in rep:
        raise Exception("collection: representation without id")
    return exhibit(rep["id"])


def visit(id_):
    if id_ not in VISITS:
        return None
    return {"id": id_, **VISITS[id_]}


def visits_ref(rep, info):
    if rep.get("__typename") != "Exhibit" or "id" not in rep:
        raise Exception(f"visits: bad representation {rep}")
    return visit(rep["id"])


def audio_ref(rep, info):
    if rep.get("__typename") != "Exhibit" or "id" not in rep:
        raise Exception(f"audio: bad representation {rep}")
    return {"id": rep["id"], "audioGuide": AUDIO.get(rep["id"])}


def popular(parent, args, info):
    ranked = sorted(VISITS, key=lambda k: -VISITS[k]["visitorCount"])[:3]
    return [visit(k) for k in ranked]


RESOLVERS = {
    "collection": {
        "Query": {
            "exhibits": lambda parent, args, info: [dict(e) for e in EXHIBITS],
            "exhibit": lambda parent, args, info: exhibit(args["id"]),
        },
        "Exhibit": {"__resolveReference": collection_ref},
        "Painting": {"__resolveReference": collection_ref},
        "Sculpture": {"__resolveReference": collection_ref},
    },
    "visits": {
        "Query": {
            "popularExhibits": popular,
            "tours": lambda parent, args, info: [{"name": n, "stops": [visit(s) for s in stops]} for n, stops in TOURS],
        },
        "Exhibit": {"__resolveReference": visits_ref},
    },
    "audio": {
        "Query": {"featured": lambda parent, args, info: {"id": "E2", "audioGuide": AUDIO["E2"]}},
        "Exhibit": {"__resolveReference": audio_ref},
    },
}
