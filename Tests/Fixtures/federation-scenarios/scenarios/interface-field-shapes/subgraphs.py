"""One response name, different shapes per implementation inside a subgraph. The supergraph
types `Van.plate` and `Bike.plate` as `String` (fleet has `String!` on Van, registry `String`),
`Van.owner`/`Bike.owner` as `Owner` (fleet: `Owner!` on Van), and fleet's `Vehicle` has no
`plate`; telemetry's `Tracked` interface has `lastSeen`/`battery` non-null on one implementation
and nullable on the other. Client queries valid against the supergraph (`... on Van { plate }
... on Bike { plate }`, `{ plate }` on the interface, `... on Tracked { lastSeen }`) become
conflicting sibling fields once written per type for one subgraph, and a client alias can take
the name of a key field the gateway adds (`... on Bike { id: plate }` next to Van fields from
another subgraph). The gateway must alias internally and answer with the client's names."""

VEHICLES = [
    {"__typename": "Van", "id": "V1", "plate": "KX71 ABC", "seats": 3, "owner": {"name": "Northside Couriers"}},
    {"__typename": "Bike", "id": "B1", "plate": None, "gears": 21, "owner": {"name": "Priya Nair"}},
    {"__typename": "Van", "id": "V2", "plate": "LM19 XYZ", "seats": 2, "owner": {"name": "Northside Couriers"}},
    {"__typename": "Bike", "id": "B2", "plate": "EB-204", "gears": 8, "owner": None},
]

REGISTERED_TO = {"V1": "Northside Couriers Ltd", "V2": "Harbour Leasing"}

TELEMETRY = {
    "V1": {"lastSeen": "2024-05-02T08:15Z", "battery": None},
    "V2": {"lastSeen": "2024-05-02T07:55Z", "battery": 64},
    "B1": {"lastSeen": None, "battery": 100},
    "B2": {"lastSeen": "2024-05-01T19:40Z", "battery": 37},
}


def vehicle(id_):
    v = next((v for v in VEHICLES if v["id"] == id_), None)
    return dict(v) if v else None


def fleet_ref(type_name):
    def resolve(rep, info):
        if rep.get("__typename") != type_name or "id" not in rep:
            raise Exception(f"fleet: bad {type_name} representation {rep}")
        v = vehicle(rep["id"])
        return v if v and v["__typename"] == type_name else None
    return resolve


def registry_ref(type_name):
    def resolve(rep, info):
        if rep.get("__typename") != type_name or "id" not in rep:
            raise Exception(f"registry: bad {type_name} representation {rep}")
        v = vehicle(rep["id"])
        if not v or v["__typename"] != type_name:
            return None
        out = {"__typename": type_name, "id": v["id"], "plate": v["plate"]}
        if type_name == "Van":
            out["owner"] = v["owner"]
            out["registeredTo"] = REGISTERED_TO[v["id"]]
        return out
    return resolve


def telemetry_ref(type_name):
    def resolve(rep, info):
        if rep.get("__typename") != type_name or "id" not in rep:
            raise Exception(f"telemetry: bad {type_name} representation {rep}")
        return {"id": rep["id"], **TELEMETRY[rep["id"]]}
    return resolve


RESOLVERS = {
    "fleet": {
        "Query": {"vehicles": lambda parent, args, info: [dict(v) for v in VEHICLES]},
        "Van": {"__resolveReference": fleet_ref("Van")},
        "Bike": {"__resolveReference": fleet_ref("Bike")},
    },
    "registry": {
        "Query": {"registeredVehicles": lambda parent, args, info: [registry_ref("Van")({"__typename": "Van", "id": "V2"}, info),
                                                                     registry_ref("Bike")({"__typename": "Bike", "id": "B2"}, info)]},
        "Van": {"__resolveReference": registry_ref("Van")},
        "Bike": {"__resolveReference": registry_ref("Bike")},
    },
    "telemetry": {
        "Van": {"__resolveReference": telemetry_ref("Van")},
        "Bike": {"__resolveReference": telemetry_ref("Bike")},
    },
}
