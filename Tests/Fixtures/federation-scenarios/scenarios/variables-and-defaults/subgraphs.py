"""Variables on their way to subgraphs: a variable's default value forwarded (also where the
argument is non-null and the variable is nullable with a default), an omitted variable leaving the
argument's or the input field's default in force while an explicit `null` overrides both, list and
input-object variables (and variables inside an input-object literal), and variables that only an
entity fetch to `readings` uses (the `stations` fetch must not declare them: graphql-core refuses
unused variables, and a non-null argument refuses a nullable variable without its default)."""

STATIONS = [
    {"id": "S1", "name": "Aster Ridge", "region": "north", "elevation": 1200},
    {"id": "S2", "name": "Birch Hollow", "region": "south", "elevation": 300},
    {"id": "S3", "name": "Cedar Point", "region": "north", "elevation": 50},
    {"id": "S4", "name": "Dune Flats", "region": "east", "elevation": 10},
    {"id": "S5", "name": "Elk Pass", "region": "south", "elevation": 2100},
]

# daily temperatures in Celsius, day 1..3 (multiples of 5: exact in Fahrenheit)
CELSIUS = {"S1": [-5, 0, 5], "S2": [15, 20, 20], "S3": [10, 10, 15], "S4": [25, 30, 30], "S5": [-5, -5, 0]}


def station_list(parent, args, info):
    if "limit" not in args:
        raise Exception("stations: limit missing (its default should apply)")
    region = args.get("region")
    found = [dict(s) for s in STATIONS if region is None or s["region"] == region]
    return found[: args["limit"]]


def by_id(id):
    s = next((s for s in STATIONS if s["id"] == id), None)
    return dict(s) if s else None


def search(parent, args, info):
    f = args["filter"]
    regions, low, prefix = f.get("regions"), f.get("minElevation"), f.get("nameStartsWith")
    return [dict(s) for s in STATIONS
            if (regions is None or s["region"] in regions)
            and (low is None or s["elevation"] >= low)
            and (prefix is None or s["name"].startswith(prefix))]


def convert(c, unit):
    if unit == "CELSIUS":
        return c
    if unit == "FAHRENHEIT":
        return c * 9 // 5 + 32
    raise Exception(f"unknown unit {unit!r}")


def readings(station, args, info):
    if "unit" not in args:
        raise Exception("readings: unit missing")
    days = [{"day": i + 1, "temperature": convert(c, args["unit"])} for i, c in enumerate(CELSIUS[station["id"]])]
    last = args.get("last")
    return days if last is None else days[len(days) - last:]


def peaks(station, args, info):
    temps = CELSIUS[station["id"]]
    return [max(temps[w["from"] - 1: w["to"]]) for w in args["windows"]]


def station_ref(rep, info):
    if "id" not in rep:
        raise Exception("Station representation without id")
    return {"id": rep["id"]}


RESOLVERS = {
    "stations": {
        "Query": {
            "stations": station_list,
            "station": lambda parent, args, info: by_id(args["id"]),
            "stationsByIds": lambda parent, args, info: [by_id(i) for i in args["ids"]],
            "search": search,
        },
        "Station": {"__resolveReference": lambda rep, info: by_id(rep["id"])},
    },
    "readings": {
        "Station": {"__resolveReference": station_ref, "readings": readings, "peaks": peaks},
    },
}
