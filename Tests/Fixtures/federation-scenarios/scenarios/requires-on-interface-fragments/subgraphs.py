"""@requires whose selection has inline fragments on the implementations of an interface:
freight's Crate.shippingClass requires `contents { id weightGrams ... on Box { volumeLiters }
... on Tube { lengthCm } }` and Crate.fragile requires `contents { id ... on Envelope { sealed } }`,
where contents mixes boxes, envelopes and tubes, and Tube.lengthCm lives in a third subgraph (lab).
Each item of the representation must carry the fields of its own runtime type (and no fetch of a
tube's length is needed when no tube is involved, or when only `fragile` is asked); the client's
own selections of contents must come back without the fields the gateway fetched for freight."""

ITEMS = {
    "B1": {"__typename": "Box", "id": "B1", "weightGrams": 1200, "volumeLiters": 30},
    "B2": {"__typename": "Box", "id": "B2", "weightGrams": 2500, "volumeLiters": 8},
    "E1": {"__typename": "Envelope", "id": "E1", "weightGrams": 80, "sealed": True},
    "E2": {"__typename": "Envelope", "id": "E2", "weightGrams": 40, "sealed": True},
    "E3": {"__typename": "Envelope", "id": "E3", "weightGrams": 60, "sealed": False},
    "T1": {"__typename": "Tube", "id": "T1", "weightGrams": 500},
    "T2": {"__typename": "Tube", "id": "T2", "weightGrams": 300},
}
TUBE_LENGTHS = {"T1": 90, "T2": 120}  # lab's data
CRATES = {"C1": ["B1", "E1", "T1"], "C2": ["E2", "E3"], "C3": ["T2", "B2"]}


def crate(cid):
    return {"id": cid, "contents": [dict(ITEMS[i]) for i in CRATES[cid]]} if cid in CRATES else None


def item_reference(rep, info):
    item = ITEMS.get(rep["id"])
    if item is None or item["__typename"] != rep["__typename"]:
        raise Exception(f"no {rep['__typename']} {rep['id']}")
    return dict(item)


def tube_reference(rep, info):
    if rep["id"] not in TUBE_LENGTHS:
        raise Exception(f"no tube {rep['id']}")
    return {"id": rep["id"], "lengthCm": TUBE_LENGTHS[rep["id"]]}


def required_contents(parent, per_type):
    """The representation's contents, checked against each item's real type."""
    if "contents" not in parent:
        raise Exception(f"crate {parent.get('id')}: representation lacks contents")
    items = parent["contents"]
    if [i.get("id") for i in items] != CRATES[parent["id"]]:
        raise Exception(f"crate {parent['id']}: contents ids {[i.get('id') for i in items]}")
    for item in items:
        kind = ITEMS[item["id"]]["__typename"]
        for f in per_type.get(kind, []):
            if f not in item:
                raise Exception(f"{kind} {item['id']} lacks {f}")
    return items


def shipping_class(parent, args, info):
    items = required_contents(parent, {
        "Box": ["weightGrams", "volumeLiters"], "Envelope": ["weightGrams"], "Tube": ["weightGrams", "lengthCm"]})
    grams = sum(i["weightGrams"] for i in items)
    liters = sum(i["volumeLiters"] for i in items if ITEMS[i["id"]]["__typename"] == "Box")
    longest = max([i["lengthCm"] for i in items if ITEMS[i["id"]]["__typename"] == "Tube"] or [0])
    return f"{len(items)} items, {grams} g, {liters} L, {longest} cm"


def fragile(parent, args, info):
    items = required_contents(parent, {"Envelope": ["sealed"]})
    return any(not i["sealed"] for i in items if ITEMS[i["id"]]["__typename"] == "Envelope")


RESOLVERS = {
    "warehouse": {
        "Query": {
            "crates": lambda parent, args, info: [crate(c) for c in CRATES],
            "crate": lambda parent, args, info: crate(args["id"]),
        },
        "Crate": {"__resolveReference": lambda rep, info: crate(rep["id"])},
        "Box": {"__resolveReference": item_reference},
        "Envelope": {"__resolveReference": item_reference},
        "Tube": {"__resolveReference": item_reference},
    },
    "lab": {"Tube": {"__resolveReference": tube_reference}},
    "freight": {"Crate": {"shippingClass": shipping_class, "fragile": fragile}},
}
