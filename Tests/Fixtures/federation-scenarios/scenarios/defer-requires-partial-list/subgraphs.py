"""Order.total (billing) @requires "lines { qty item { shippingClass } }". A deferred fragment that
also selects `lines` fills them (without `qty`) in the same order object; when the first payload's
fetch of `lines` failed (o2's Customer.name is null and non-null: `order` is nulled), billing was
sent a representation whose lines lacked `qty` and answered "'qty'", a spurious error beside the
real one. A `@requires` input is now complete only when its nested objects have every field it
names (`RepresentationWriter.hasEveryMember`). DeferTests reads the payloads."""
ERR = object()
ITEMS = {
    "A1": dict(name="Anvil", weight=50, dims={"w": 2, "h": 3}),
    "B2": dict(name="Bolt", weight=1, dims=None),
    "X3": dict(name=ERR, weight=5, dims={"w": 1, "h": 1}),
    "C4": dict(name=None, weight=7, dims={"w": 4, "h": 4}),
}
CUSTOMERS = {("k1", "DE"): dict(name="Kim", vip=True, tier="gold"),
             ("k2", "FR"): dict(name=None, vip=False, tier=None),
             ("k3", "DE"): dict(name="Lee", vip=None, tier="silver")}
ORDERS = {
    "o1": dict(status="OPEN", customer=("k1", "DE"), lines=[("A1", 2), ("B2", 10)], shipping={"carrier": "DHL", "cost": 5}),
    "o2": dict(status="SHIPPED", customer=("k2", "FR"), lines=[("X3", 1)], shipping=None),
    "o3": dict(status="LOST", customer=("k3", "DE"), lines=[], shipping={"carrier": "UPS", "cost": None}),
    "o4": dict(status="OPEN", customer=("k1", "DE"), lines=[("C4", 1), ("A1", 1)], shipping={"carrier": "DHL", "cost": 9}),
}
ORDER_LIST = ["o1", None, "o2", "o3", "o4"]
WAREHOUSES = {"W1": ["A1", None, "C4"], "W2": [], "W3": ["X3", "B2"]}


def item_name(sku):
    n = ITEMS[sku]["name"]
    if n is ERR:
        raise Exception("name lookup failed")
    return n


def volume(dims):
    if not dims:
        return None
    return dims["w"] * dims["h"]


def sclass(weight, dims):
    v = volume(dims)
    return ("heavy" if weight >= 10 else "light") + ("-bulky" if v and v > 5 else "")


PRICE = {"heavy": 20, "light": 5, "heavy-bulky": 23, "light-bulky": 8}


def total(lines):
    return sum(q * PRICE[c] for q, c in lines if c)


def eta(sh, days):
    return None if days is None else "%s+%d" % (sh["carrier"], days)


def shipping(o):
    sh = o["shipping"]
    return None if sh is None else dict(sh, eta=lambda a, i, sh=sh: eta(sh, a.get("days")))


def discount(vip):
    return 10 if vip else 0



def o_order(oid):
    o = ORDERS.get(oid)
    if o is None:
        return None
    cid, ctry = o["customer"]
    return {"__typename": "Order", "id": oid, "status": o["status"],
            "customer": {"__typename": "Customer", "id": cid, "country": ctry, "name": CUSTOMERS[(cid, ctry)]["name"]},
            "lines": [{"sku": s, "qty": q, "item": {"__typename": "Item", "sku": s}} for s, q in o["lines"]],
            "shipping": shipping(o)}


def i_item(sku):
    it = ITEMS.get(sku)
    if it is None:
        return None
    return {"__typename": "Item", "sku": sku, "name": lambda a, i, s=sku: item_name(s), "weight": it["weight"], "dims": it["dims"]}


def s_item(rep):
    return {"sku": rep["sku"], "volume": volume(rep.get("dims")),
            "shippingClass": sclass(rep["weight"], rep.get("dims")) if "weight" in rep else None}


def b_order(rep):
    lines = rep.get("lines")
    t = None if lines is None else total([(l["qty"], (l.get("item") or {}).get("shippingClass")) for l in lines])
    return {"id": rep["id"], "total": t}


def crm_customer(rep):
    ctry = rep.get("country")
    if ctry is None:
        ctry = next((c for (k, c) in CUSTOMERS if k == rep["id"]), None)
    c = CUSTOMERS.get((rep["id"], ctry))
    return None if c is None else {"id": rep["id"], "country": ctry, **c}


RESOLVERS = {
    "orders": {
        "Query": {"orders": lambda _, a, i: [o_order(x) if x else None for x in ORDER_LIST],
                  "order": lambda _, a, i: o_order(a["id"])},
        "Order": {"__resolveReference": lambda rep, i: o_order(rep["id"])},
    },
    "items": {
        "Query": {"warehouse": lambda _, a, i: (lambda w: None if w is None else {"code": a["code"], "items": [i_item(s) if s else None for s in w]})(WAREHOUSES.get(a["code"]))},
        "Item": {"__resolveReference": lambda rep, i: i_item(rep["sku"])},
    },
    "shipping": {
        "Order": {"__resolveReference": lambda rep, i: (lambda o: None if o is None else {"id": rep["id"], "shipping": shipping(o)})(ORDERS.get(rep["id"]))},
        "Item": {"__resolveReference": lambda rep, i: s_item(rep)},
    },
    "billing": {
        "Query": {"order": lambda _, a, i: {"__typename": "Order", "id": a["id"]} if a["id"] in ORDERS else None},
        "Order": {"__resolveReference": lambda rep, i: b_order(rep)},
        "Customer": {"__resolveReference": lambda rep, i: {"id": rep["id"], "country": rep["country"], "discount": discount(rep.get("vip")), "tier": "stale"}},
    },
    "crm": {
        "Customer": {"__resolveReference": lambda rep, i: crm_customer(rep)},
    },
}
