"""Federation 1 style subgraphs (no @link) in a plant shop, composed with one Federation 2 subgraph.
plants owns Plant and stubs Supplier with `extend type Supplier @key` + an @external key; care adds
fields with `extend type Plant @key(fields: "sku")`, an @external key and Fed1 @requires on the
@external potSizeCm and on a selection of the @external price (a Money); nursery (root fields in
`extend type Query`) owns Supplier, extends Plant with the `@extends` directive instead of the
keyword and @provides Plant.name on Offer.plant; plants, care and nursery all define the value type
Money without @shareable (Fed1 value types are shareable); reviews is Federation 2 (@link) with a
root field returning Plant and a @requires on the Fed1-owned Plant.name. Checks that @external keys
of extensions are still returned by the extending subgraph, that @requires/@provides of Fed1 syntax
plan as in Fed2, and that Fed1 and Fed2 subgraphs hop to each other."""

PLANTS = {
    "p1": {"name": "Monstera", "potSizeCm": 24, "price": {"amount": 3500, "currency": "EUR"}, "supplier": "s1"},
    "p2": {"name": "Fiddle Leaf Fig", "potSizeCm": 30, "price": {"amount": 5200, "currency": "EUR"}, "supplier": "s2"},
    "p3": {"name": "Snake Plant", "potSizeCm": 12, "price": {"amount": 1800, "currency": "EUR"}, "supplier": "s1"},
}

CARE = {
    "p1": {"light": "bright indirect", "tips": ["wipe the leaves", "let the topsoil dry"]},
    "p2": {"light": "bright", "tips": ["keep away from drafts"]},
    "p3": {"light": "low to bright", "tips": ["water sparingly"]},
}

SUPPLIERS = {
    "s1": {"name": "Greenhouse Nine", "region": "Westland", "stock": ["p1", "p3"]},
    "s2": {"name": "Fig & Fern", "region": "Algarve", "stock": ["p2"]},
}

# nursery keeps the names of the plants it offers (the @provides path)
OFFERS = [
    {"id": "o1", "discountPercent": 15, "price": {"amount": 4420, "currency": "EUR"}, "plant": "p2", "plantName": "Fiddle Leaf Fig"},
    {"id": "o2", "discountPercent": 10, "price": {"amount": 1620, "currency": "EUR"}, "plant": "p3", "plantName": "Snake Plant"},
]

REVIEWS = {
    "p1": [{"stars": 5, "text": "Thrives in my hallway"}, {"stars": 4, "text": "Big leaves, fast"}],
    "p2": [{"stars": 3, "text": "Dropped leaves after moving"}],
    "p3": [{"stars": 5, "text": "Unkillable"}],
}


def need(rep, subgraph, *fields):
    missing = [f for f in fields if f not in rep]
    if missing:
        raise Exception(f"{subgraph}: representation {rep} lacks {missing}")


# --- plants (Fed1 owner) ---------------------------------------------------------------------------

def plant(sku):
    p = PLANTS.get(sku)
    if p is None:
        return None
    return {"sku": sku, "name": p["name"], "potSizeCm": p["potSizeCm"], "price": dict(p["price"]),
            "supplier": {"id": p["supplier"]}}


def plants_ref(rep, info):
    need(rep, "plants", "sku")
    return plant(rep["sku"])


# --- care (Fed1, extend type) ----------------------------------------------------------------------

def care_ref(rep, info):
    need(rep, "care", "sku")
    c = CARE.get(rep["sku"])
    return None if c is None else {**rep, "careGuide": dict(c)}


def water(parent, args, info):
    need(parent, "care", "potSizeCm")
    return parent["potSizeCm"] * 25


def fertiliser(parent, args, info):
    need(parent, "care", "price")
    price = parent["price"]
    if not isinstance(price, dict) or "amount" not in price or "currency" not in price:
        raise Exception(f"care: fertiliserBudget needs price {{ amount currency }}, got {price}")
    return f"{price['amount'] // 10} {price['currency']}/year"


# --- nursery (Fed1, @extends) ----------------------------------------------------------------------

def nursery_plant_name(parent, args, info):
    if "name" not in parent:
        raise Exception("nursery: Plant.name is @external here and not provided on this path")
    return parent["name"]


def nursery_plant_ref(rep, info):
    need(rep, "nursery", "sku")
    return {"sku": rep["sku"]}


def supplier(id_):
    s = SUPPLIERS.get(id_)
    if s is None:
        return None
    return {"id": id_, "name": s["name"], "region": s["region"], "stock": [{"sku": k} for k in s["stock"]]}


def supplier_ref(rep, info):
    need(rep, "nursery", "id")
    return supplier(rep["id"])


def offers(parent, args, info):
    return [{"id": o["id"], "discountPercent": o["discountPercent"], "price": dict(o["price"]),
             "plant": {"sku": o["plant"], "name": o["plantName"]}} for o in OFFERS]


# --- reviews (Fed2) --------------------------------------------------------------------------------

def reviews_ref(rep, info):
    need(rep, "reviews", "sku")
    return dict(rep)


def blurb(parent, args, info):
    need(parent, "reviews", "name")
    return f"{parent['name']}, rated by {len(REVIEWS.get(parent['sku'], []))}"


RESOLVERS = {
    "plants": {
        "Query": {
            "plants": lambda parent, args, info: [plant(k) for k in PLANTS],
            "plant": lambda parent, args, info: plant(args["sku"]),
        },
        "Plant": {"__resolveReference": plants_ref},
    },
    "care": {
        "Plant": {"__resolveReference": care_ref, "waterMlPerWeek": water, "fertiliserBudget": fertiliser},
    },
    "nursery": {
        "Query": {"offers": offers},
        "Plant": {"__resolveReference": nursery_plant_ref, "name": nursery_plant_name},
        "Supplier": {"__resolveReference": supplier_ref},
    },
    "reviews": {
        "Query": {"topRated": lambda parent, args, info: [{"sku": "p3"}, {"sku": "p1"}]},
        "Plant": {
            "__resolveReference": reviews_ref,
            "reviews": lambda parent, args, info: [dict(r) for r in REVIEWS.get(parent["sku"], [])],
            "blurb": blurb,
        },
    },
}
