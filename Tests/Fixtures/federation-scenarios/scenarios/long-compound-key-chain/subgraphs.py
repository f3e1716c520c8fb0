"""Ours, after Apollo's 'works with key chains' and 'pick keys that minimize fetches': Item sku -> (vendor{code} part) in b;
(vendor part) -> lot in c; Lot serial -> (site{id} batch) in d; (site batch) -> expiry in e; five subgraphs, four key
hops, under a list of lists (with a null list and a null item)."""
SKU = {"s1": ("ACME", 1), "s2": ("ACME", 2), "s3": ("BOLT", 1)}
BACK = {v: k for k, v in SKU.items()}
LOT = {("ACME", 1): "L10", ("ACME", 2): "L20", ("BOLT", 1): None}
SER = {"L10": ("east", 7), "L20": ("west", 7)}
SERBACK = {v: k for k, v in SER.items()}
EXP = {("east", 7): "2030-01", ("west", 7): "2031-06"}
SITE = {"east": "East Plant", "west": "West Plant"}


def b_item(rep, info):
    if "sku" in rep:
        v, p = SKU[rep["sku"]]
        return {"sku": rep["sku"], "vendor": {"code": v}, "part": p}
    k = (rep["vendor"]["code"], rep["part"])
    return {"sku": BACK[k], "vendor": {"code": k[0]}, "part": k[1]}


def c_item(rep, info):
    k = (rep["vendor"]["code"], rep["part"])
    lot = LOT[k]
    return {"vendor": {"code": k[0]}, "part": k[1], "lot": None if lot is None else {"serial": lot}}


def d_lot(rep, info):
    if "serial" in rep:
        s, b = SER[rep["serial"]]
    else:
        s, b = rep["site"]["id"], rep["batch"]
    return {"serial": SERBACK[(s, b)], "site": {"id": s}, "batch": b}


def e_lot(rep, info):
    s, b = rep["site"]["id"], rep["batch"]
    return {"site": {"id": s}, "batch": b, "expiry": EXP[(s, b)], "recalled": s == "west"}


RESOLVERS = {
    "a": {"Query": {"groups": lambda p, a, i: [[{"sku": "s1"}, {"sku": "s3"}], None, [{"sku": "s2"}, None, {"sku": "s1"}]]}},
    "b": {"Item": {"__resolveReference": b_item}},
    "c": {"Item": {"__resolveReference": c_item}},
    "d": {"Lot": {"__resolveReference": d_lot}},
    "e": {"Lot": {"__resolveReference": e_lot}, "Site": {"__resolveReference": lambda rep, info: {"id": rep["id"], "name": SITE[rep["id"]]}}},
}
