"""After the federation gateway audit's `circular-reference-interface` suite (the-guild-org/graphql-federation-gateway-audit).

a: `interface Product { samePriceProduct: Product }` implemented by Book, whose samePriceProduct
(narrowed to Book) @provides the @external price; b owns Book.price. a has no reference resolver
for Book (the representation itself is the parent)."""

BOOKS = [
    {"__typename": "Book", "id": "1", "price": 10.99},
    {"__typename": "Book", "id": "2", "price": 5.99},
    {"__typename": "Book", "id": "3", "price": 10.99},
]


def product(parent, args, info):
    b = BOOKS[0]
    return {"__typename": b["__typename"], "id": b["id"], "price": b["price"]}


def same_price_product(book, args, info):
    b = next((b for b in BOOKS if b["price"] == book.get("price") and b["id"] != book.get("id")), None)
    if not b:
        return None
    return {"__typename": b["__typename"], "id": b["id"], "price": b["price"]}


def b_book_ref(key, info):
    b = next((b for b in BOOKS if b["id"] == key["id"]), None)
    if not b:
        return None
    return {"__typename": b["__typename"], "id": b["id"], "price": b["price"]}


RESOLVERS = {
    "a": {
        "Query": {"product": product},
        "Book": {"samePriceProduct": same_price_product},
    },
    "b": {
        "Book": {"__resolveReference": b_book_ref},
    },
}
