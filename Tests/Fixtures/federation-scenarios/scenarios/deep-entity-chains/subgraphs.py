"""Entity chains four and five levels deep alternating between three subgraphs of a transit
network: lines (Line, with `stopGrid: [[Stop!]]!`, stops grouped by zone) -> stops (Stop, with
`operators: [Operator]!`) -> operators (Operator, with `lines: [Line!]!`) -> lines -> stops.
Checks one _entities request per subgraph per level however many lists and lists of lists the
entities come from, aliases at every level (one field under two aliases with different
arguments or selections included), empty inner lists, and partial failure: stops cannot give
the departures of S5 and operators cannot give the licence of O3, so those entities come back
null from their subgraph and the gateway must null exactly the nearest nullable position (an
inner list of stopGrid, an item of operators) with errors, keeping the rest of the data."""

LINES = {
    "L1": {"name": "Harbour Line", "colour": "blue", "stopGrid": [["S1", "S2"], ["S3"]]},
    "L2": {"name": "Hill Line", "colour": "green", "stopGrid": [["S3", "S4"], ["S5"]]},
    "L3": {"name": "Night Owl", "colour": "purple", "stopGrid": [["S1"], [], ["S5"]]},
}

STOPS = {
    "S1": {"name": "Quay", "zone": 1, "operators": ["O1"], "departures": ["06:00", "06:15", "06:30"]},
    "S2": {"name": "Fish Market", "zone": 1, "operators": ["O1", "O2"], "departures": ["06:05", "06:20"]},
    "S3": {"name": "Town Hall", "zone": 2, "operators": ["O2"], "departures": ["06:10"]},
    "S4": {"name": "Observatory", "zone": 3, "operators": ["O2", "O3"], "departures": ["07:00", "07:30", "08:00"]},
    "S5": {"name": "Summit", "zone": 4, "operators": ["O3"], "departures": None},  # timetable unavailable
}

OPERATORS = {
    "O1": {"name": "Bay Transit", "licence": "LIC-100", "lines": ["L1", "L3"]},
    "O2": {"name": "Ridge Buses", "licence": "LIC-200", "lines": ["L1", "L2"]},
    "O3": {"name": "Summit Shuttle", "licence": None, "lines": ["L2"]},  # licence registry fails
}


def need_id(obj, where):
    if not isinstance(obj, dict) or "id" not in obj:
        raise Exception(f"{where}: representation without id: {obj}")
    return obj["id"]


def owned(table, where):
    def resolve(rep, info):
        id_ = need_id(rep, where)
        return {"id": id_} if id_ in table else None
    return resolve


def field(table, where, name, wrap=None):
    def resolve(parent, args, info):
        row = table[need_id(parent, where)]
        value = row[name]
        return wrap(value) if wrap else value
    return resolve


def stop_grid(parent, args, info):
    return [[{"id": s} for s in zone] for zone in LINES[need_id(parent, "lines")]["stopGrid"]]


def departures(parent, args, info):
    id_ = need_id(parent, "stops")
    d = STOPS[id_]["departures"]
    if d is None:
        raise Exception(f"stops: the timetable of {id_} is unavailable")
    return d[:args["limit"]]


def licence(parent, args, info):
    id_ = need_id(parent, "operators")
    value = OPERATORS[id_]["licence"]
    if value is None:
        raise Exception(f"operators: the licence registry failed for {id_}")
    return value


RESOLVERS = {
    "lines": {
        "Query": {
            "lines": lambda parent, args, info: [{"id": k} for k in LINES],
            "line": lambda parent, args, info: {"id": args["id"]} if args["id"] in LINES else None,
        },
        "Line": {"__resolveReference": owned(LINES, "lines"), "name": field(LINES, "lines", "name"),
                 "colour": field(LINES, "lines", "colour"), "stopGrid": stop_grid},
    },
    "stops": {
        "Stop": {"__resolveReference": owned(STOPS, "stops"), "name": field(STOPS, "stops", "name"),
                 "zone": field(STOPS, "stops", "zone"),
                 "operators": field(STOPS, "stops", "operators", lambda ids: [{"id": o} for o in ids]),
                 "departures": departures},
    },
    "operators": {
        "Operator": {"__resolveReference": owned(OPERATORS, "operators"),
                     "name": field(OPERATORS, "operators", "name"), "licence": licence,
                     "lines": field(OPERATORS, "operators", "lines", lambda ids: [{"id": l} for l in ids])},
    },
}
