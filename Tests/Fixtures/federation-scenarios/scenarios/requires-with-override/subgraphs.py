"""@override together with @requires, and @override on implementations of an interface. Room.stayTotal
moved from tariffs to billing, where it requires hotel's nightlyRate and nights; tariffs keeps
Room.currency and a root field. Amenity is an interface of hotel implemented by Spa, Parking and
Shuttle; billing took over Parking.feeCents (requiring hotel's Parking.spaces) and Shuttle.feeCents,
while Spa.feeCents stays in hotel. So `amenities { feeCents }` cannot be read from hotel as a
whole: Spa's fee comes from hotel, the others from billing. The overridden resolvers of tariffs
and hotel fail, so a plan that still reads a field from its old subgraph shows."""

ROOMS = [
    {"number": 101, "nightlyRate": 120, "nights": 2, "amenities": ["S1"]},
    {"number": 102, "nightlyRate": 90, "nights": 3, "amenities": ["P1", "S2"]},
    {"number": 103, "nightlyRate": 200, "nights": 1, "amenities": ["P2", "H1"]},
]
AMENITIES = {
    "S1": {"__typename": "Spa", "id": "S1", "label": "Sauna", "feeCents": 1500},
    "S2": {"__typename": "Spa", "id": "S2", "label": "Massage", "feeCents": 4000},
    "P1": {"__typename": "Parking", "id": "P1", "label": "Garage", "spaces": 2},
    "P2": {"__typename": "Parking", "id": "P2", "label": "Valet", "spaces": 1},
    "H1": {"__typename": "Shuttle", "id": "H1", "label": "Airport shuttle"},
}
CURRENCY = {101: "EUR", 102: "EUR", 103: "NOK"}
PARKING_CENTS_PER_SPACE = {"P1": 700, "P2": 2500}  # billing's tariff
SHUTTLE_CENTS = {"H1": 3000}


def room(number):
    r = next((r for r in ROOMS if r["number"] == number), None)
    if r is None:
        return None
    return {**r, "amenities": [dict(AMENITIES[a]) for a in r["amenities"]]}


def moved(where):
    def fail(parent, args, info):
        raise Exception(f"{info.parent_type.name}.{info.field_name} moved to billing; {where} no longer resolves it")
    return fail


def stay_total(parent, args, info):
    for f in ("nightlyRate", "nights"):
        if f not in parent:
            raise Exception(f"Room {parent.get('number')}: stayTotal needs {f}")
    return parent["nightlyRate"] * parent["nights"] + 15


def parking_fee(parent, args, info):
    if "spaces" not in parent:
        raise Exception(f"Parking {parent.get('id')}: feeCents needs spaces")
    return PARKING_CENTS_PER_SPACE[parent["id"]] * parent["spaces"]


def amenity_reference(rep, info):
    a = AMENITIES.get(rep["id"])
    if a is None or a["__typename"] != rep["__typename"]:
        raise Exception(f"no {rep['__typename']} {rep['id']}")
    return dict(a)


RESOLVERS = {
    "hotel": {
        "Query": {
            "rooms": lambda parent, args, info: [room(r["number"]) for r in ROOMS],
            "room": lambda parent, args, info: room(args["number"]),
        },
        "Room": {"__resolveReference": lambda rep, info: room(rep["number"])},
        "Spa": {"__resolveReference": amenity_reference},
        "Parking": {"__resolveReference": amenity_reference, "feeCents": moved("hotel")},
        "Shuttle": {"__resolveReference": amenity_reference, "feeCents": moved("hotel")},
    },
    "tariffs": {
        "Query": {"cheapestRoom": lambda parent, args, info: {"number": min(ROOMS, key=lambda r: r["nightlyRate"])["number"]}},
        "Room": {
            "currency": lambda parent, args, info: CURRENCY[parent["number"]],
            "stayTotal": moved("tariffs"),
        },
    },
    "billing": {
        "Room": {"stayTotal": stay_total},
        "Parking": {"feeCents": parking_fee},
        "Shuttle": {"feeCents": lambda parent, args, info: SHUTTLE_CENTS[parent["id"]]},
    },
}
