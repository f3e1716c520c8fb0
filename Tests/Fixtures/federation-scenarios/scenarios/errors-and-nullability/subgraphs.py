"""Errors and null propagation across subgraphs. registry lists observatories and their telescopes
(`[Telescope]!`: items nullable); upkeep resolves telescope details and raises for some fields at
several depths (a nullable field, a non-null field of the entity itself, a non-null field of a
list item under a nullable list) and returns a malformed entity (T4: a nested Service without its
required `date`, no `calibrationArcsec`); staff, a second hop from upkeep's technicians, raises for
one phone and answers a technician without its required `name`; registry answers one observatory
without its `name`; weather is down: every resolver raises. Checks that each failure nulls the
nearest nullable parent of the failing field, with one error at its path (the subgraph's error
moved to the client's path, no second error for the same null), that other subgraphs' data stays,
that a non-null field of the down subgraph propagates up to `data`, and that a parent nulled by an
error is not sent on to the next subgraph."""

OBSERVATORIES = {
    "RDG": {"name": "Ridge Top", "telescopes": ["T1", "T2"]},
    "VAL": {"name": "Valley Station", "telescopes": ["T3", "T4", "T5"]},
    "OLD": {"name": None, "telescopes": []},  # a malformed record: no name
}
MODELS = {"T1": "Mirador 400", "T2": "Halcyon 250", "T3": "Kestrel 600", "T4": "Mirador 400", "T5": "Orrery 150"}


class Fail:
    """A value whose field raises when resolved."""
    def __init__(self, message):
        self.message = message

    def __call__(self, args, info):
        raise Exception(self.message)


UPKEEP = {
    "T1": {"status": "operational", "calibrationArcsec": 0.8,
           "lastService": {"date": "2024-03-02", "notes": "collimated", "technician": {"badge": "B1"}},
           "mirrors": [{"position": 1, "coating": "silver"}, {"position": 2, "coating": "silver"}]},
    "T2": {"status": "operational", "calibrationArcsec": Fail("upkeep: calibration log for T2 is unreadable"),
           "lastService": {"date": "2024-01-15", "notes": None, "technician": {"badge": "B2"}},
           "mirrors": [{"position": 1, "coating": "aluminium"},
                       {"position": 2, "coating": Fail("upkeep: coating of T2 mirror 2 unknown")}]},
    "T3": {"status": Fail("upkeep: status feed for T3 is offline"), "calibrationArcsec": 1.4,
           "lastService": None, "mirrors": []},
    # malformed: no calibrationArcsec at all, and a Service without its required date
    "T4": {"status": "stowed",
           "lastService": {"notes": "rushed", "technician": {"badge": "B1"}},
           "mirrors": [{"position": 1, "coating": "gold"}]},
    "T5": {"status": "operational", "calibrationArcsec": 0.5,
           "lastService": {"date": "2024-02-20", "notes": None, "technician": {"badge": "B3"}},
           "mirrors": [{"position": 1, "coating": "silver"}]},
}
STAFF = {
    "B1": {"name": "Noor Haddad", "phone": "555-0101"},
    "B2": {"name": "Piet Varga", "phone": Fail("staff: phone book entry of B2 is locked")},
    "B3": {"phone": "555-0303"},  # malformed: no name
}


def observatory(code):
    o = OBSERVATORIES[code]
    out = {"code": code, "telescopes": [{"serial": t, "model": MODELS[t]} for t in o["telescopes"]]}
    if o["name"] is not None:
        out["name"] = o["name"]
    return out


def upkeep_telescope(rep, info):
    if "serial" not in rep:
        raise Exception(f"upkeep: Telescope representation without serial: {rep}")
    row = UPKEEP.get(rep["serial"])
    return None if row is None else {"serial": rep["serial"], **row}


def staff_technician(rep, info):
    if "badge" not in rep:
        raise Exception(f"staff: Technician representation without badge: {rep}")
    row = STAFF.get(rep["badge"])
    return None if row is None else {"badge": rep["badge"], **row}


def registry_reference(key, table, build):
    def resolve(rep, info):
        if key not in rep:
            raise Exception(f"registry: representation without {key}: {rep}")
        return build(rep[key]) if rep[key] in table else None
    return resolve


def down(*args):
    raise Exception("weather: service unavailable")


RESOLVERS = {
    "registry": {
        "Query": {
            "observatories": lambda parent, args, info: [observatory(c) for c in ["RDG", "VAL"]],
            "observatory": lambda parent, args, info: observatory(args["code"]) if args["code"] in OBSERVATORIES else None,
            "telescope": lambda parent, args, info: (
                {"serial": args["serial"], "model": MODELS[args["serial"]]} if args["serial"] in MODELS else None),
        },
        "Observatory": {"__resolveReference": registry_reference("code", OBSERVATORIES, observatory)},
        "Telescope": {"__resolveReference": registry_reference("serial", MODELS, lambda s: {"serial": s, "model": MODELS[s]})},
    },
    "upkeep": {"Telescope": {"__resolveReference": upkeep_telescope}},
    "staff": {"Technician": {"__resolveReference": staff_technician}},
    "weather": {
        "Query": {"skyReport": down},
        "Observatory": {"__resolveReference": down},
    },
}
