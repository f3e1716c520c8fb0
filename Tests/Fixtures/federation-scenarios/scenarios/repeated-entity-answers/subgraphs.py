"""The same entity asked twice in one query with the same selection: a library's catalog (Book,
featured books), its stock (copies and shelf of each Book: leaves only) and its reviews (reviews of
a Book, each naming its Book; books also read). In `{ featured { copies reviews { book { copies } } } }`
the books the reviews name are featured books whose copies were asked for one level up: the
gateway sends stock one request, not two (the second step takes the first one's answers, whether
they are back or still on their way). A review of a book that is not featured makes stock asked
again for that book only; an answer that came with errors is not taken again (the second step asks
again and each path gets its own error); in a mutation nothing is taken (a book moved by the
second field is on another shelf than the first field's answer said). Stock slows down when asked for B1 so that the second step usually meets the
first one's request still out (it then waits for it rather than sending)."""

import time

BOOKS = {
    "B1": {"title": "Dune", "copies": 3, "shelf": "SF-1"},
    "B2": {"title": "Emma", "copies": 0, "shelf": "CL-4"},
    "B3": {"title": "Ulysses", "copies": None, "shelf": "CL-9"},   # the stock count fails
    "B4": {"title": "Solaris", "copies": 5, "shelf": "SF-2"},
}

FEATURED = ["B1", "B2", "B3"]

REVIEWS = {
    "B1": [("R1", 5, "B1"), ("R2", 4, "B2")],
    "B2": [("R3", 3, "B1")],
    "B3": [("R4", 2, "B3")],
    "B4": [("R5", 4, "B4")],
}

ALSO_READ = {"B1": ["B2", "B4"], "B2": ["B1"], "B3": [], "B4": ["B1"]}


def need_id(obj, where):
    if not isinstance(obj, dict) or "id" not in obj:
        raise Exception(f"{where}: representation without id: {obj}")
    return obj["id"]


def owned(where):
    def resolve(rep, info):
        id_ = need_id(rep, where)
        if where == "stock" and id_ == "B1":
            time.sleep(0.2)
        return {"id": id_} if id_ in BOOKS else None
    return resolve


def copies(parent, args, info):
    id_ = need_id(parent, "stock")
    value = BOOKS[id_]["copies"]
    if value is None:
        raise Exception(f"stock: the count of {id_} failed")
    return value


def move(parent, args, info):
    if args["id"] not in BOOKS:
        return None
    BOOKS[args["id"]]["shelf"] = args["to"]
    return {"id": args["id"]}


RESOLVERS = {
    "catalog": {
        "Query": {
            "featured": lambda parent, args, info: [{"id": b} for b in FEATURED],
            "book": lambda parent, args, info: {"id": args["id"]} if args["id"] in BOOKS else None,
        },
        "Mutation": {"move": move},
        "Book": {"__resolveReference": owned("catalog"),
                 "title": lambda parent, args, info: BOOKS[need_id(parent, "catalog")]["title"]},
    },
    "stock": {
        "Book": {"__resolveReference": owned("stock"), "copies": copies,
                 "shelf": lambda parent, args, info: BOOKS[need_id(parent, "stock")]["shelf"]},
    },
    "reviews": {
        "Book": {"__resolveReference": owned("reviews"),
                 "reviews": lambda parent, args, info: [{"id": r, "stars": s, "book": {"id": b}}
                                                         for r, s, b in REVIEWS[need_id(parent, "reviews")]],
                 "alsoRead": lambda parent, args, info: [{"id": b} for b in ALSO_READ[need_id(parent, "reviews")]]},
    },
}
