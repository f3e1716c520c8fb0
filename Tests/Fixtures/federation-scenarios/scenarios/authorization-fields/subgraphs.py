"""field-level @authenticated / @requiresScopes / @policy (on fields, a scalar, an enum),
protected @key and @requires inputs (a field requiring a protected one is protected too, as composition asks), a shareable field protected in one subgraph only (code) or
with different scopes in each (tier), mutations. Protected values are marked SECRET-… so a leak is
visible; CALLS records which protected resolvers ran (hook `calls`)."""
CALLS = []


def rec(name, value):
    def fn(parent, args, info):
        CALLS.append(name)
        return value(parent, args) if callable(value) else value
    return fn


PRODUCTS = [{"id": "p1", "name": "Lamp", "cost": 11, "weight": 5, "code": "SECRET-code-p1", "tier": "SECRET-tier-p1"},
            {"id": "p2", "name": "Desk", "cost": 22, "weight": 40, "code": "SECRET-code-p2", "tier": "SECRET-tier-p2"}]


def product(pid):
    return dict(next(p for p in PRODUCTS if p["id"] == pid))


RESOLVERS = {
    "shop": {
        "Query": {
            "me": lambda p, a, i: {"id": "u1", "name": "Ada"},
            "products": lambda p, a, i: [dict(x) for x in PRODUCTS],
            "account": lambda p, a, i: {"id": "acc-SECRET-1", "handle": "ada"},
            "pub": lambda p, a, i: "public",
            "secretNote": rec("Query.secretNote", "SECRET-note"),
            "stamp": rec("Query.stamp", "SECRET-stamp"),
            "color": rec("Query.color", "RED"),
            "andOr": rec("Query.andOr", "SECRET-andOr"),
            "both": rec("Query.both", "SECRET-both"),
            "pol": rec("Query.pol", "SECRET-pol"),
            "holders": lambda p, a, i: [{"__typename": "Box", "product": product("p1"), "account": {"id": "acc-SECRET-1", "handle": "ada"}},
                                        {"__typename": "Safe", "product": product("p2"), "account": {"id": "acc-SECRET-2", "handle": "bob"}}],
            "search": rec("Query.search", lambda p, a: ["SECRET-hit-" + a["term"]]),
        },
        "Mutation": {
            "ping": lambda p, a, i: "pong:" + a["msg"],
            "wipe": rec("Mutation.wipe", True),
            "setCost": rec("Mutation.setCost", lambda p, a: a["cost"]),
        },
        "User": {
            "email": rec("User.email", "SECRET-ada@example.com"),
            "ssn": rec("User.ssn", "SECRET-123-45"),
            "__resolveReference": lambda rep, info: {"id": rep["id"], "name": "Ada"},
        },
        "Product": {
            "cost": rec("Product.cost", lambda p, a: p["cost"]),
            "weight": rec("Product.weight", lambda p, a: p["weight"]),
            "code": rec("Product.code(shop)", lambda p, a: p["code"]),
            "tier": rec("Product.tier(shop)", lambda p, a: p["tier"]),
            "__resolveReference": lambda rep, info: product(rep["id"]),
        },
        "Account": {
            "id": rec("Account.id", lambda p, a: p["id"]),
            "__resolveReference": lambda rep, info: {"id": rep["id"], "handle": "ada"},
        },
    },
    "shipping": {
        "Product": {
            "shippingEstimate": lambda p, a, i: (p.get("weight") or 0) * 10 if p.get("weight") is not None else None,
        },
    },
    "extra": {
        "Query": {"topProduct": lambda p, a, i: {"id": "p1", "name": "Lamp"}},
        "Product": {
            "code": rec("Product.code(extra)", lambda p, a: "SECRET-code-" + p["id"]),
            "tier": rec("Product.tier(extra)", lambda p, a: "SECRET-tier-" + p["id"]),
            "reviews": lambda p, a, i: ["nice"],
            "__resolveReference": lambda rep, info: {"id": rep["id"], "name": product(rep["id"])["name"]},
        },
        "Account": {
            "karma": lambda p, a, i: 7 if p["id"] == "acc-SECRET-1" else -1,
        },
    },
}


def _reset():
    CALLS.clear()
    return True


HOOKS = {"reset": _reset, "calls": lambda: list(CALLS)}
