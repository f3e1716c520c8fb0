"""@inaccessible and @override. An @inaccessible field, key field, argument, enum value and input
field are absent from the API schema: operations using them are refused before any subgraph is
called, and introspection does not show them; the hidden key still joins the subgraphs. `price`
and the root field `ticketDesk` moved from tickets to admissions with @override(from:); progressive
override with `percent(100)` (openingHours, from exhibits) behaves as overridden, with `percent(0)`
(capacity, from tickets) as not overridden. Every field that should not be asked raises."""

EXHIBITS = [
    {"accession": "ACC-101", "id": "E1", "title": "Bronze Horse", "wing": "EAST", "internalCode": "bh-77", "archived": False},
    {"accession": "ACC-102", "id": "E2", "title": "Salt Maps", "wing": "WEST", "internalCode": "sm-12", "archived": False},
    {"accession": "ACC-103", "id": "E3", "title": "Glass Choir", "wing": "EAST", "internalCode": "gc-40", "archived": False},
    {"accession": "ACC-104", "id": "E4", "title": "Lost Sledge", "wing": "VAULT", "internalCode": "ls-03", "archived": True},
]
PRICE = {"ACC-101": 1200, "ACC-102": 800, "ACC-103": 1500, "ACC-104": 0}
CAPACITY = {"ACC-101": 40, "ACC-102": 25, "ACC-103": 60, "ACC-104": 0}
SOLD = {"ACC-101": 31, "ACC-102": 9, "ACC-103": 60, "ACC-104": 0}
HOURS = {"ACC-101": "09-17", "ACC-102": "10-16", "ACC-103": "12-20", "ACC-104": "closed"}


def listed(parent, args, info):
    archived = args.get("includeArchived")
    return [dict(e) for e in EXHIBITS if archived or not e["archived"]]


def search(parent, args, info):
    f = args["filter"]
    if f.get("curatorNote") is not None:
        raise Exception("curatorNote is internal")
    return [dict(e) for e in EXHIBITS if not e["archived"]
            and (f.get("wing") is None or e["wing"] == f["wing"])
            and (f.get("titleContains") is None or f["titleContains"] in e["title"])]


def by_accession(rep, info):
    if "accession" not in rep:
        raise Exception("Exhibit representation without accession")
    return next(dict(e) for e in EXHIBITS if e["accession"] == rep["accession"])


def key_only(rep, info):
    if "accession" not in rep:
        raise Exception("Exhibit representation without accession")
    return {"accession": rep["accession"]}


def moved(what):
    def fail(*args):
        raise Exception(f"{what} is not served here any more")
    return fail


RESOLVERS = {
    "exhibits": {
        "Query": {
            "exhibits": listed,
            "exhibitsIn": lambda parent, args, info: [dict(e) for e in EXHIBITS if e["wing"] == args["wing"]],
            "search": search,
        },
        "Exhibit": {"__resolveReference": by_accession, "openingHours": moved("openingHours (percent(100) to admissions)")},
    },
    "tickets": {
        "Query": {"ticketDesk": moved("ticketDesk (overridden by admissions)")},
        "Exhibit": {
            "__resolveReference": key_only,
            "price": moved("price (overridden by admissions)"),
            "capacity": lambda e, args, info: CAPACITY[e["accession"]],
            "soldToday": lambda e, args, info: SOLD[e["accession"]],
        },
    },
    "admissions": {
        "Query": {"ticketDesk": lambda parent, args, info: "North lobby"},
        "Exhibit": {
            "__resolveReference": key_only,
            "price": lambda e, args, info: PRICE[e["accession"]],
            "capacity": moved("capacity (percent(0): still tickets)"),
            "openingHours": lambda e, args, info: HOURS[e["accession"]],
        },
    },
}
