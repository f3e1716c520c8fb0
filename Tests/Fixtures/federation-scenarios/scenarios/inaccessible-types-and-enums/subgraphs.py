"""@inaccessible types, enum values and fields that subgraphs still use. catalog's `Prototype` is
@inaccessible but catalog returns one inside the `Listing` union and the `Item` interface: a
client never sees it, not even its `__typename`: that item is null without an error (as Apollo
Router does), and a null in a non-null position propagates with an error as usual. A fragment
naming the hidden type is refused before any subgraph is called. `Zone` is defined by every
subgraph, its GREENHOUSE value @inaccessible in catalog only (enough to hide it); a subgraph
returning that value as output gives the client what result coercion against the API schema
gives: a field error and null (nullable field: null; non-null `bestZone`: the seedling is null;
a list item of `[Zone]`: that item is null). The @inaccessible `sku` is only the key care
resolves seedlings by, and the @inaccessible `weightGrams` only the input of shipping's
@requires: both still join the subgraphs. Care and shipping raise on a representation without
the field they need."""

SEEDLINGS = {
    "P1": {"sku": "SK-101", "name": "Fig", "weightGrams": 900, "origin": "ARID",
           "watering": "weekly", "bestZone": "TEMPERATE", "shipsTo": ["TEMPERATE", "ARID"]},
    "P2": {"sku": "SK-102", "name": "Vanilla orchid", "weightGrams": 300, "origin": "GREENHOUSE",
           "watering": "misting", "bestZone": "GREENHOUSE", "shipsTo": ["TROPICAL", "GREENHOUSE"]},
    "P3": {"sku": "SK-103", "name": "Lavender", "weightGrams": 450, "origin": "TEMPERATE",
           "watering": "sparse", "bestZone": "ARID", "shipsTo": ["TEMPERATE", "ARID", "TROPICAL"]},
}
TOOLS = {"T1": "Hori knife", "T2": "Copper trowel"}
PROTOTYPES = {"X1": "Glow moss (trial)"}


def item(i):
    if i in SEEDLINGS:
        s = SEEDLINGS[i]
        return {"__typename": "Seedling", "id": i, "sku": s["sku"], "name": s["name"],
                "weightGrams": s["weightGrams"], "origin": s["origin"]}
    if i in TOOLS:
        return {"__typename": "Tool", "id": i, "name": TOOLS[i]}
    return {"__typename": "Prototype", "id": i, "name": PROTOTYPES[i]}


def catalog_seedling(rep, info):
    if "id" in rep:
        return item(rep["id"]) if rep["id"] in SEEDLINGS else None
    if "sku" in rep:
        return next((item(i) for i, s in SEEDLINGS.items() if s["sku"] == rep["sku"]), None)
    raise Exception(f"catalog: Seedling representation without id or sku: {rep}")


def care_seedling(rep, info):
    if "sku" not in rep:
        raise Exception(f"care: Seedling representation without sku: {rep}")
    s = next((s for s in SEEDLINGS.values() if s["sku"] == rep["sku"]), None)
    return None if s is None else {"sku": rep["sku"], "watering": s["watering"], "bestZone": s["bestZone"]}


def shipping_seedling(rep, info):
    if "id" not in rep:
        raise Exception(f"shipping: Seedling representation without id: {rep}")
    out = {"id": rep["id"], "shipsTo": SEEDLINGS[rep["id"]]["shipsTo"]}
    if "weightGrams" in rep:
        out["weightGrams"] = rep["weightGrams"]
    return out


def shipping_cents(seedling, args, info):
    if "weightGrams" not in seedling:
        raise Exception("shipping: shippingCents needs weightGrams")
    return 250 + seedling["weightGrams"] // 2


RESOLVERS = {
    "catalog": {
        "Query": {
            "featured": lambda parent, args, info: [item(i) for i in ["P2", "X1", "T1"]],
            "display": lambda parent, args, info: [item(i) for i in ["T2", "X1"]],
            "shelf": lambda parent, args, info: [item(i) for i in ["P1", "X1", "T2", "P3"]],
            "seedlings": lambda parent, args, info: [item(i) for i in SEEDLINGS],
            "seedling": lambda parent, args, info: item(args["id"]) if args["id"] in SEEDLINGS else None,
        },
        "Seedling": {"__resolveReference": catalog_seedling},
    },
    "care": {"Seedling": {"__resolveReference": care_seedling}},
    "shipping": {"Seedling": {"__resolveReference": shipping_seedling, "shippingCents": shipping_cents}},
}
