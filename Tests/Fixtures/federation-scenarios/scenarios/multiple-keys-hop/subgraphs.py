"""An article known by two different keys: orders only knows its `id`, stock only knows its `sku`,
and catalog knows both, so reaching stock from an order line must hop through catalog (id -> sku)
first. Bins have a compound key (`site aisle`, two bins share an aisle number on different sites)
and lockers a nested key (`depot { id } number`, two lockers share a number in different depots);
every resolver raises when a representation lacks a field of the key it is reached by."""

ARTICLES = [
    {"id": "A1", "sku": "SKU-HAM", "title": "Claw hammer"},
    {"id": "A2", "sku": "SKU-SAW", "title": "Hand saw"},
    {"id": "A3", "sku": "SKU-DRL", "title": "Cordless drill"},
    {"id": "A4", "sku": "SKU-TAP", "title": "Tape measure"},
]

STOCK = [
    {"sku": "SKU-HAM", "onHand": 14, "bin": {"site": "north", "aisle": 3}},
    {"sku": "SKU-SAW", "onHand": 0, "bin": {"site": "north", "aisle": 7}},
    {"sku": "SKU-DRL", "onHand": 3, "bin": {"site": "south", "aisle": 3}},
    {"sku": "SKU-TAP", "onHand": 40, "bin": None},
]

BIN_LABELS = {("north", 3): "N-03 hand tools", ("north", 7): "N-07 saws", ("south", 3): "S-03 power tools"}

DEPOTS = {"D1": "Leeds", "D2": "York"}
LOCKER_SIZES = {("D1", 1): "S", ("D1", 2): "L", ("D2", 1): "M"}

ORDERS = [
    {"number": "O-100", "lines": [{"quantity": 2, "article": {"id": "A1"}}, {"quantity": 1, "article": {"id": "A3"}}],
     "pickup": {"depot": {"id": "D1"}, "number": 1}},
    {"number": "O-101", "lines": [{"quantity": 1, "article": {"id": "A2"}}],
     "pickup": {"depot": {"id": "D2"}, "number": 1}},
    {"number": "O-102", "lines": [{"quantity": 1, "article": {"id": "A1"}}, {"quantity": 3, "article": {"id": "A4"}}],
     "pickup": None},
]


def catalog_article(rep, info):
    if "id" in rep:
        return next((dict(a) for a in ARTICLES if a["id"] == rep["id"]), None)
    if "sku" in rep:
        return next((dict(a) for a in ARTICLES if a["sku"] == rep["sku"]), None)
    raise Exception("catalog: an Article representation needs id or sku")


def stock_article(rep, info):
    if "sku" not in rep:
        raise Exception("stock: an Article representation needs sku (stock does not know ids)")
    return next((dict(s) for s in STOCK if s["sku"] == rep["sku"]), None)


def bin_ref(rep, info):
    if "site" not in rep or "aisle" not in rep:
        raise Exception("sites: a Bin representation needs site and aisle")
    label = BIN_LABELS.get((rep["site"], rep["aisle"]))
    return None if label is None else {"site": rep["site"], "aisle": rep["aisle"], "label": label}


def locker_ref(rep, info):
    if not isinstance(rep.get("depot"), dict) or "id" not in rep["depot"] or "number" not in rep:
        raise Exception("sites: a Locker representation needs depot { id } and number")
    size = LOCKER_SIZES.get((rep["depot"]["id"], rep["number"]))
    if size is None:
        return None
    return {"depot": {"id": rep["depot"]["id"], "city": DEPOTS[rep["depot"]["id"]]}, "number": rep["number"], "size": size}


def depot_ref(rep, info):
    if "id" not in rep:
        raise Exception("sites: a Depot representation needs id")
    return {"id": rep["id"], "city": DEPOTS[rep["id"]]} if rep["id"] in DEPOTS else None


def orders_ref(rep, info):
    if "number" not in rep:
        raise Exception("orders: an Order representation needs number")
    return next((dict(o) for o in ORDERS if o["number"] == rep["number"]), None)


RESOLVERS = {
    "orders": {
        "Query": {"orders": lambda parent, args, info: [dict(o) for o in ORDERS]},
        "Order": {"__resolveReference": orders_ref},
    },
    "catalog": {
        "Query": {"article": lambda parent, args, info: catalog_article({"id": args["id"]}, info)},
        "Article": {"__resolveReference": catalog_article},
    },
    "stock": {
        "Query": {"lowStock": lambda parent, args, info: [dict(s) for s in STOCK if s["onHand"] < 5]},
        "Article": {"__resolveReference": stock_article},
    },
    "sites": {
        "Bin": {"__resolveReference": bin_ref},
        "Locker": {"__resolveReference": locker_ref},
        "Depot": {"__resolveReference": depot_ref},
    },
}
