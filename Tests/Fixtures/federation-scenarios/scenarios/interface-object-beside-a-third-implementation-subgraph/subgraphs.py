"""`Book.meta` is resolved by the interface's owner (Meta.a) and by a third subgraph (Meta.c); an
@interfaceObject subgraph resolves `Media.meta` (Meta.b). `book { meta { b } }` must go to the
@interfaceObject: it was only tried when no subgraph resolved the object's field itself (probe 52D)."""
BOOKS = {"b1": {"id": "b1", "meta": {"a": "A1", "b": "B1", "c": "C1"}}, "b2": {"id": "b2", "meta": None}}
def ref(t):
    return lambda rep, info: (dict(BOOKS[rep["id"]], __typename="Book") if rep["id"] in BOOKS else None)
RESOLVERS = {
    "owner": {"Query": {"book": lambda p, a, i: dict(BOOKS.get(a["id"]) or {}, __typename="Book") if a["id"] in BOOKS else None},
              "Book": {"__resolveReference": ref("Book")}, "Media": {"__resolveReference": ref("Media"), "__resolveType": lambda o: "Book"}},
    "iobj": {"Media": {"__resolveReference": ref("Media")}},
    "third": {"Book": {"__resolveReference": ref("Book")}},
}
