"""Value types shared without a key: `Coordinates` has the same lat/lng in stations and maps, each
adding a field of its own (elevationM, gridRef), and `Money` is identical in stations and pricing.
`Query.stations` is shareable in all three subgraphs and `Query.headquarters` in two: a query is
answered by the one subgraph holding all its fields (the others are not called), and a selection
on a Coordinates object needing both elevationM and gridRef must take the shared object from both
subgraphs (through the Station key, or for the root `headquarters` from both root fields) and merge
it. Entity resolvers raise on a representation without an id."""

STATIONS = [
    {"id": "S1", "name": "Canal Basin", "lat": 53.48, "lng": -2.245, "elevationM": 38, "gridRef": "SJ 845 980",
     "nearestTram": "Piccadilly", "deposit": 5000, "dayPass": 450},
    {"id": "S2", "name": "Mill Yard", "lat": 53.485, "lng": -2.25, "elevationM": 45, "gridRef": "SJ 850 985",
     "nearestTram": None, "deposit": 5000, "dayPass": 450},
    {"id": "S3", "name": "Riverside", "lat": 53.47, "lng": -2.255, "elevationM": 31, "gridRef": "SJ 838 970",
     "nearestTram": "Deansgate", "deposit": 7500, "dayPass": 600},
]
HQ = {"lat": 53.5, "lng": -2.25, "elevationM": 40, "gridRef": "SJ 846 981"}


def find(rep, where):
    if "id" not in rep:
        raise Exception(f"{where}: a Station representation needs id")
    return next((s for s in STATIONS if s["id"] == rep["id"]), None)


def in_stations(s):
    return None if s is None else {"id": s["id"], "name": s["name"], "deposit": {"cents": s["deposit"], "currency": "GBP"},
                                   "location": {"lat": s["lat"], "lng": s["lng"], "elevationM": s["elevationM"]}}


def in_maps(s):
    return None if s is None else {"id": s["id"], "nearestTram": s["nearestTram"],
                                   "location": {"lat": s["lat"], "lng": s["lng"], "gridRef": s["gridRef"]}}


def in_pricing(s):
    return None if s is None else {"id": s["id"], "dayPass": {"cents": s["dayPass"], "currency": "GBP"}}


RESOLVERS = {
    "stations": {
        "Query": {"stations": lambda parent, args, info: [in_stations(s) for s in STATIONS],
                  "headquarters": lambda parent, args, info: {"lat": HQ["lat"], "lng": HQ["lng"], "elevationM": HQ["elevationM"]}},
        "Station": {"__resolveReference": lambda rep, info: in_stations(find(rep, "stations"))},
    },
    "maps": {
        "Query": {"stations": lambda parent, args, info: [in_maps(s) for s in STATIONS],
                  "headquarters": lambda parent, args, info: {"lat": HQ["lat"], "lng": HQ["lng"], "gridRef": HQ["gridRef"]}},
        "Station": {"__resolveReference": lambda rep, info: in_maps(find(rep, "maps"))},
    },
    "pricing": {
        "Query": {"stations": lambda parent, args, info: [in_pricing(s) for s in STATIONS]},
        "Station": {"__resolveReference": lambda rep, info: in_pricing(find(rep, "pricing"))},
    },
}
