"""After the federation gateway audit's `null-keys` suite (the-guild-org/graphql-federation-gateway-audit).

a knows books by upc, c by id, and only b maps one key to the other; b answers null for the third
book, so the hop to c for its author cannot be made and the author must come back null."""

BOOKS = [
    {"__typename": "Book", "id": "1", "upc": "b1", "author": {"__typename": "Author", "id": "a1", "name": "Alice"}},
    {"__typename": "Book", "id": "2", "upc": "b2", "author": {"__typename": "Author", "id": "a2", "name": "Bob"}},
    {"__typename": "Book", "id": "3", "upc": "b3", "author": {"__typename": "Author", "id": "a3", "name": "Jack"}},
]


def lookup(reference):
    book = None
    if reference is not None:
        if "id" in reference:
            book = next((b for b in BOOKS if b["id"] == reference["id"]), None)
        if "upc" in reference:
            book = next((b for b in BOOKS if b["upc"] == reference["upc"]), None)
    return book


def b_book_ref(reference, info):
    book = lookup(reference)
    if book is not None:
        if book["id"] == "3":
            return None  # on purpose
        return {"__typename": "Book", "id": book["id"], "upc": book["upc"]}
    raise Exception("Invalid reference")


def c_book_ref(reference, info):
    book = lookup(reference)
    if book is not None:
        return {"__typename": "Book", "id": book["id"],
                "author": {"__typename": "Author", "id": book["author"]["id"], "name": book["author"]["name"]}}
    raise Exception("Invalid reference")


RESOLVERS = {
    "a": {
        "Query": {"bookContainers": lambda parent, args, info: [{"book": {"upc": b["upc"]}} for b in BOOKS]},
    },
    "b": {"Book": {"__resolveReference": b_book_ref}},
    "c": {"Book": {"__resolveReference": c_book_ref}},
}
