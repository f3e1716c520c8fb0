"""Mutation root fields from two subgraphs (planting, harvest) run one after the other in
document order, each one's entity fields from a third subgraph (census) resolved before the next
mutation starts: a harvest reads what an earlier sow wrote, and census reports the bed as it is
right after each step (`growing`, the event log). Every test starts with `prepareBed` on its own
bed, which resets that bed, so the tests do not depend on each other or on being run twice. A
failing mutation field is null with an error while the later ones still run — also when its
subgraph fails the whole request (HTTP 500, errors without data)."""

import fedkit

BEDS = {}


def bed_state(id):
    if id not in BEDS:
        raise Exception(f"no bed {id}")
    return BEDS[id]


def prepare_bed(parent, args, info):
    BEDS[args["id"]] = {"crop": args["crop"], "sown": 0, "harvested": 0, "events": [f"prepare {args['crop']}"]}
    return {"id": args["id"], "crop": args["crop"]}


def sow(parent, args, info):
    b = bed_state(args["bed"])
    b["sown"] += args["seeds"]
    b["events"].append(f"sow {args['seeds']}")
    return {"id": args["bed"], "crop": b["crop"]}


def harvest_one(id, plants):
    b = bed_state(id)
    picked = min(plants, b["sown"] - b["harvested"])
    b["harvested"] += picked
    b["events"].append(f"harvest {picked}")
    return {"picked": picked, "bed": {"id": id}}


def clear_bed(parent, args, info):
    b = bed_state(args["bed"])
    growing = b["sown"] - b["harvested"]
    if growing:
        raise Exception(f"bed {args['bed']} still has {growing} plants")
    b["events"].append("clear")
    return {"id": args["bed"]}


def spoil(parent, args, info):
    # The harvest subgraph fails the whole request: HTTP 500 with errors and no data.
    raise fedkit.RequestFailed(f"bed {args['bed']} spoiled the request")


def census_ref(rep, info):
    if "id" not in rep:
        raise Exception("Bed representation without id")
    b = bed_state(rep["id"])
    # a snapshot: the state when this entity fetch runs
    return {"id": rep["id"], "growing": b["sown"] - b["harvested"], "events": list(b["events"])}


def key_only(rep, info):
    if "id" not in rep:
        raise Exception("Bed representation without id")
    return {"id": rep["id"]}


RESOLVERS = {
    "planting": {
        "Query": {"bed": lambda parent, args, info: {"id": args["id"], "crop": BEDS[args["id"]]["crop"]} if args["id"] in BEDS else None},
        "Mutation": {"prepareBed": prepare_bed, "sow": sow},
        "Bed": {"__resolveReference": lambda rep, info: {"id": rep["id"], "crop": bed_state(rep["id"])["crop"]}},
    },
    "harvest": {
        "Mutation": {
            "harvest": lambda parent, args, info: harvest_one(args["bed"], args["plants"]),
            "harvestAll": lambda parent, args, info: [harvest_one(b, 1000) for b in args["beds"]],
            "clearBed": clear_bed,
            "spoil": spoil,
        },
        "Bed": {"__resolveReference": key_only, "harvested": lambda bed, args, info: bed_state(bed["id"])["harvested"]},
    },
    "census": {"Bed": {"__resolveReference": census_ref}},
}
