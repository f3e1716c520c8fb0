"""@defer over an entity fetch: catalog lists products, pricing answers their prices by key.

Pricing's reference resolver and its `deals` root field wait while the gate is armed (POST /defer-incremental/hook/arm),
until POST /defer-incremental/hook/release or 20 s (a hang guard: then `hook/state` says
"timed out"); the gate starts released, so the scenario corpus never waits. A test arms it, reads
the first payload of an incremental response while pricing is still held, then releases it.
"""
import threading

PRODUCTS = [
    {"id": "p1", "name": "Kettle", "reviews": [{"stars": 4}, {"stars": 5}]},
    {"id": "p2", "name": "Teapot", "reviews": []},
]
PRICES = {"p1": {"price": 30, "discount": None}, "p2": {"price": 45, "discount": 5}}

GATE = threading.Event()
GATE.set()
STATE = {"value": "released"}
FAIL = {"on": False}   # POST hook/fail and hook/heal: pricing raises for every product meanwhile


def arm():
    STATE["value"] = "armed"
    GATE.clear()
    return STATE["value"]


def release():
    STATE["value"] = "released"
    GATE.set()
    return STATE["value"]


def price(rep, info):
    if FAIL["on"]:
        raise Exception("pricing is down")
    if not GATE.wait(20):
        STATE["value"] = "timed out"
        GATE.set()
    return {"id": rep["id"], **PRICES[rep["id"]]}


def deals(parent, args, info):
    if not GATE.wait(20):
        STATE["value"] = "timed out"
        GATE.set()
    return [{"id": "p2", **PRICES["p2"]}]


RESOLVERS = {
    "catalog": {"Query": {"products": lambda parent, args, info: [dict(p) for p in PRODUCTS]},
                "Product": {"__resolveReference": lambda rep, info: next(dict(p) for p in PRODUCTS if p["id"] == rep["id"])}},
    "pricing": {"Query": {"deals": deals}, "Product": {"__resolveReference": price}},
}

def fail(on):
    FAIL["on"] = on
    return on


HOOKS = {"arm": arm, "release": release, "state": lambda: STATE["value"],
         "fail": lambda: fail(True), "heal": lambda: fail(False)}
