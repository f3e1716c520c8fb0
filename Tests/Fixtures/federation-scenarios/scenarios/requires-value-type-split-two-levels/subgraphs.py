"""@requires whose input is a two-level @shareable value type with its fields split across two
subgraphs (Unit.symbol in a, Unit.name in b)."""
UNITS = {"p1": {"symbol": "cm", "name": "centimetre"}, "p2": None}

def spec(keys):
    def f(p, a, i):
        u = UNITS[p["id"]]
        return {"unit": None if u is None else {k: u[k] for k in keys}}
    return f

def label(p, a, i):
    if "spec" not in p:
        raise Exception("label needs spec")
    u = (p["spec"] or {}).get("unit")
    return "-" if u is None else f"{u['symbol']}/{u['name']}"

RESOLVERS = {
    "a": {"Query": {"products": lambda p, a, i: [{"id": "p1"}, {"id": "p2"}]}, "Product": {"spec": spec(["symbol"])}},
    "b": {"Product": {"spec": spec(["name"])}},
    "c": {"Product": {"label": label}},
}
