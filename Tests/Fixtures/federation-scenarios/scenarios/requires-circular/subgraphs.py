"""A @requires cycle between two subgraphs: ledger's Voyage.fuelCost requires harbor's distanceNm,
harbor's ticketPrice requires ledger's fuelCost, and ledger's summary requires harbor's ticketPrice
(and distanceNm again), so the summary needs harbor -> ledger -> harbor -> ledger in sequence. The
tests check each step of the chain alone, the whole chain (also entered from ledger's root field,
and with aliases), that null required values still travel in the representations, and that each
subgraph is called only as often as the chain needs."""

VOYAGES = [
    {"id": "V1", "route": "Oslo-Kiel", "distanceNm": 360},
    {"id": "V2", "route": "Bergen-Hirtshals", "distanceNm": 300},
    {"id": "V3", "route": "Tromso-Longyearbyen", "distanceNm": None},  # not charted yet
]


def find(vid):
    v = next((v for v in VOYAGES if v["id"] == vid), None)
    return dict(v) if v else None


def need(parent, *fields):
    for f in fields:
        if f not in parent:
            raise Exception(f"Voyage {parent.get('id')}: representation lacks {f}")


def fuel_cost(parent, args, info):
    need(parent, "distanceNm")
    d = parent["distanceNm"]
    return None if d is None else d * 7


def ticket_price(parent, args, info):
    need(parent, "fuelCost")
    f = parent["fuelCost"]
    return None if f is None else f // 20 + 50


def summary(parent, args, info):
    need(parent, "ticketPrice", "distanceNm")
    if parent["ticketPrice"] is None:
        return f"{parent['id']}: no fare"
    return f"{parent['id']}: {parent['distanceNm']} nm for {parent['ticketPrice']}"


def harbor_reference(rep, info):
    v = find(rep["id"])
    if v is None:
        raise Exception(f"no voyage {rep['id']}")
    v.update({k: rep[k] for k in rep if k != "__typename"})  # keeps fuelCost from the representation
    return v


RESOLVERS = {
    "harbor": {
        "Query": {
            "voyages": lambda parent, args, info: [dict(v) for v in VOYAGES],
            "voyage": lambda parent, args, info: find(args["id"]),
        },
        "Voyage": {"__resolveReference": harbor_reference, "ticketPrice": ticket_price},
    },
    "ledger": {
        "Query": {"flagship": lambda parent, args, info: {"id": "V2"}},
        "Voyage": {"fuelCost": fuel_cost, "summary": summary},
    },
}
