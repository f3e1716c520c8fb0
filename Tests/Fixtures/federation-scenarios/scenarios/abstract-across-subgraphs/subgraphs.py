"""An interface and a union whose members live in different subgraphs. itinerary has trips with
`segments: [Segment!]!` (Flight, Train, Stay) and `highlights: [Highlight!]!` (Highlight = Stay |
Landmark, Landmark only a key there); transport resolves Flight and Train and declares
`Segment.summary` for them, lodging resolves Stay, Landmark and Spa and has its own
`Highlight = Stay | Spa` (it knows Landmark but not as a member). Checks that fields of several
concrete types one subgraph resolves are fetched with ONE _entities request, that an interface
field is answered per implementation by the subgraph that resolves it, and that every subgraph
query keeps only the type conditions that subgraph knows (no `... on Spa` to itinerary, no
`... on Landmark` inside lodging's Highlight)."""

TRIPS = [
    {"id": "T1", "name": "Lisbon and Porto",
     "segments": ["F1", "S1", "R1", "S2", "F2"], "highlights": ["L1", "S1"]},
    {"id": "T2", "name": "Alpine rail",
     "segments": ["R2", "S3", "R3"], "highlights": ["L2", "L3"]},
]

# what itinerary knows of every segment and highlight: type and day
ITEMS = {
    "F1": ("Flight", 1), "S1": ("Stay", 1), "R1": ("Train", 4), "S2": ("Stay", 4), "F2": ("Flight", 7),
    "R2": ("Train", 1), "S3": ("Stay", 1), "R3": ("Train", 3),
    "L1": ("Landmark", None), "L2": ("Landmark", None), "L3": ("Landmark", None),
}

FLIGHTS = {
    "F1": {"code": "TP1351", "from": "LHR", "to": "LIS"},
    "F2": {"code": "TP1336", "from": "OPO", "to": "LHR"},
}
TRAINS = {
    "R1": {"operator": "CP", "from": "Lisboa", "to": "Porto"},
    "R2": {"operator": "SBB", "from": "Zurich", "to": "Chur"},
    "R3": {"operator": "RhB", "from": "Chur", "to": "St. Moritz"},
}
STAYS = {
    "S1": {"hotel": "Casa do Rio", "nights": 3},
    "S2": {"hotel": "Ribeira Loft", "nights": 3},
    "S3": {"hotel": "Hotel Steinbock", "nights": 2},
}
LANDMARKS = {
    "L1": {"name": "Belem Tower", "city": "Lisbon"},
    "L2": {"name": "Landwasser Viaduct", "city": "Filisur"},
    "L3": {"name": "Lake St. Moritz", "city": "St. Moritz"},
}
SPAS = {"SP1": {"name": "Thermae Loft", "treatment": "hot stone"}}


def item(id_):
    t, day = ITEMS[id_]
    out = {"__typename": t, "id": id_}
    if day is not None:
        out["day"] = day
    return out


def trip(t):
    return {"id": t["id"], "name": t["name"],
            "segments": [item(s) for s in t["segments"]], "highlights": [item(h) for h in t["highlights"]]}


def ref(type_name, table, extra=None):
    def resolve(rep, info):
        if rep.get("__typename") != type_name or "id" not in rep:
            raise Exception(f"bad {type_name} representation {rep}")
        row = table.get(rep["id"])
        if row is None:
            return None
        out = {"id": rep["id"], **row}
        if extra:
            out.update(extra(rep["id"], row))
        return out
    return resolve


def itinerary_ref(type_name):
    def resolve(rep, info):
        if rep.get("__typename") != type_name or "id" not in rep:
            raise Exception(f"bad {type_name} representation {rep}")
        if ITEMS.get(rep["id"], (None,))[0] != type_name:
            return None
        return item(rep["id"])
    return resolve


RESOLVERS = {
    "itinerary": {
        "Query": {
            "trip": lambda parent, args, info: next((trip(t) for t in TRIPS if t["id"] == args["id"]), None),
            "trips": lambda parent, args, info: [trip(t) for t in TRIPS],
        },
        "Flight": {"__resolveReference": itinerary_ref("Flight")},
        "Train": {"__resolveReference": itinerary_ref("Train")},
        "Stay": {"__resolveReference": itinerary_ref("Stay")},
        "Landmark": {"__resolveReference": itinerary_ref("Landmark")},
    },
    "transport": {
        "Flight": {"__resolveReference": ref("Flight", FLIGHTS, lambda i, r: {"summary": f"{r['code']} {r['from']}-{r['to']}"})},
        "Train": {"__resolveReference": ref("Train", TRAINS, lambda i, r: {"summary": f"{r['operator']} {r['from']}-{r['to']}"})},
    },
    "lodging": {
        "Query": {
            "featuredHighlights": lambda parent, args, info: [
                {"__typename": "Spa", "id": "SP1", **SPAS["SP1"]},
                {"__typename": "Stay", "id": "S2", **STAYS["S2"], "summary": "3 nights at Ribeira Loft"},
                {"__typename": "Stay", "id": "S3", **STAYS["S3"], "summary": "2 nights at Hotel Steinbock"},
            ],
        },
        "Stay": {"__resolveReference": ref("Stay", STAYS, lambda i, r: {"summary": f"{r['nights']} nights at {r['hotel']}"})},
        "Landmark": {"__resolveReference": ref("Landmark", LANDMARKS)},
        "Spa": {"__resolveReference": ref("Spa", SPAS)},
    },
}
