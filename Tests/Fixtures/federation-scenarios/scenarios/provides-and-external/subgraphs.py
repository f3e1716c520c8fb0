"""@provides and @external in a lending library: loans marks Member.name and the items' titles
@external but provides them on Loan.borrower, on the list root field frequentBorrowers, on the
interface field Loan.item (with type conditions) and on the interface field Member.lastReturned
(plainly), so those paths need neither people nor catalog. Everywhere else (Loan.checkedBy,
Member.wishlist, a Member reached by key) loans does not have the value: its resolvers for the
external fields raise when asked, so the gateway must take them from people and catalog."""

MEMBERS = {
    "m1": {"name": "Ada Okafor", "email": "ada@example.org"},
    "m2": {"name": "Bram Visser", "email": "bram@example.org"},
    "m3": {"name": "Chen Wei", "email": "chen@example.org"},
    "m9": {"name": "Ines Duarte", "email": "ines@example.org"},
}

BOOKS = {"978-0-01": {"title": "The Salt Road", "pages": 312}, "978-0-02": {"title": "Winter Orchard", "pages": 198}}
FILMS = {"F-77": {"title": "Night Ferry", "minutes": 104}, "F-80": {"title": "Glass Harbour", "minutes": 92}}

LOANS = [
    {"id": "L1", "daysLate": 3, "borrower": "m1", "checkedBy": "m9", "item": ("Book", "978-0-01")},
    {"id": "L2", "daysLate": 12, "borrower": "m2", "checkedBy": "m9", "item": ("Film", "F-77")},
    {"id": "L3", "daysLate": 1, "borrower": "m1", "checkedBy": "m3", "item": ("Book", "978-0-02")},
]

LAST_RETURNED = {"m1": ("Film", "F-80"), "m3": ("Book", "978-0-01")}

WISHLISTS = {"m1": [("Film", "F-80")], "m2": [("Book", "978-0-02"), ("Film", "F-77")]}


# --- loans: what it knows of other subgraphs' entities -------------------------------------------

def member_stub(mid, provided):
    m = {"id": mid}
    if provided:
        m["name"] = MEMBERS[mid]["name"]  # the value loans keeps for the @provides paths
    return m


def item_stub(ref, provided):
    typename, key = ref
    item = {"__typename": typename, ("isbn" if typename == "Book" else "code"): key}
    if provided:
        item["title"] = (BOOKS if typename == "Book" else FILMS)[key]["title"]
    return item


def loan(row):
    return {"id": row["id"], "daysLate": row["daysLate"], "borrower": member_stub(row["borrower"], True),
            "checkedBy": member_stub(row["checkedBy"], False), "item": item_stub(row["item"], True)}


def external(field):
    def resolve(parent, args, info):
        if field not in parent:
            raise Exception(f"loans: {info.parent_type.name}.{field} is @external here and not provided on this path")
        return parent[field]
    return resolve


def loans_member(rep, info):
    if "id" not in rep:
        raise Exception("loans: a Member representation needs id")
    return {"id": rep["id"]}


def member_loans(member, args, info):
    return [loan(row) for row in LOANS if row["borrower"] == member["id"]]


def member_wishlist(member, args, info):
    return [item_stub(ref, False) for ref in WISHLISTS.get(member["id"], [])]


def member_last_returned(member, args, info):
    ref = LAST_RETURNED.get(member["id"])
    return None if ref is None else item_stub(ref, True)


def loans_item(typename, key):
    def resolve(rep, info):
        if key not in rep:
            raise Exception(f"loans: a {typename} representation needs {key}")
        return {key: rep[key]}
    return resolve


# --- owners ----------------------------------------------------------------------------------------

def people_member(rep, info):
    if "id" not in rep:
        raise Exception("people: a Member representation needs id")
    m = MEMBERS.get(rep["id"])
    return None if m is None else {"id": rep["id"], **m}


def catalog_book(rep, info):
    if "isbn" not in rep:
        raise Exception("catalog: a Book representation needs isbn")
    b = BOOKS.get(rep["isbn"])
    return None if b is None else {"isbn": rep["isbn"], **b}


def catalog_film(rep, info):
    if "code" not in rep:
        raise Exception("catalog: a Film representation needs code")
    f = FILMS.get(rep["code"])
    return None if f is None else {"code": rep["code"], **f}


RESOLVERS = {
    "people": {
        "Query": {"member": lambda parent, args, info: people_member({"id": args["id"]}, info)},
        "Member": {"__resolveReference": people_member},
    },
    "catalog": {
        "Book": {"__resolveReference": catalog_book},
        "Film": {"__resolveReference": catalog_film},
    },
    "loans": {
        "Query": {
            "overdue": lambda parent, args, info: [loan(row) for row in LOANS],
            "frequentBorrowers": lambda parent, args, info: [member_stub(mid, True) for mid in ("m1", "m2")],
        },
        "Member": {"__resolveReference": loans_member, "name": external("name"),
                   "loans": member_loans, "wishlist": member_wishlist,
                   "lastReturned": member_last_returned},
        "Book": {"__resolveReference": loans_item("Book", "isbn"), "title": external("title")},
        "Film": {"__resolveReference": loans_item("Film", "code"), "title": external("title")},
    },
}
