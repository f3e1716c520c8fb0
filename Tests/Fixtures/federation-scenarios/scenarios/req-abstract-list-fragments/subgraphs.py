"""Ours, after Apollo's '@requires' tests (requires on nested selections) and the router's 'handles_requires_from_supergraph':
ship's Cart.weight requires, in the external list `items` (an interface of entities), per-type fields that other
subgraphs give (Book.pages and Book.author from books, Author.name from people, Film.minutes from films).
weight = the items' parts joined by "+": Book "B<pages>/<author name>", Film "F<minutes>", other "<typename>";
a null item is "null". count = the number of non-null items."""
CARTS = {"c1": ["b1", "f1", "y1"], "c2": ["f2", None, "b2"], "c3": []}
TYPES = {"b": "Book", "f": "Film", "y": "Toy"}
PAGES = {"b1": 100, "b2": 250}
AUTH = {"b1": "a1", "b2": "a2"}
NAMES = {"a1": "Ann", "a2": "Bo"}
MIN = {"f1": 90, "f2": 120}


def item(i):
    return None if i is None else {"__typename": TYPES[i[0]], "id": i}


def part(it):
    if it is None:
        return "null"
    t = it.get("__typename")
    if t == "Book":
        return f"B{it['pages']}/{it['author']['name']}"
    if t == "Film":
        return f"F{it['minutes']}"
    if t is None:
        raise Exception(f"no __typename in {it}")
    return t


def weight(p, a, i):
    if "items" not in p:
        raise Exception("missing items")
    return "+".join(part(it) for it in p["items"])


def count(p, a, i):
    if "items" not in p:
        raise Exception("missing items")
    return len([x for x in p["items"] if x is not None and "id" in x])


RESOLVERS = {
    "shop": {"Query": {"carts": lambda p, a, i: [{"id": c, "items": [item(x) for x in CARTS[c]]} for c in ("c1", "c2", "c3")]},
             "Cart": {"__resolveReference": lambda rep, info: {"id": rep["id"], "items": [item(x) for x in CARTS[rep["id"]]]}}},
    "books": {"Book": {"__resolveReference": lambda rep, info: {"id": rep["id"], "pages": PAGES[rep["id"]], "author": {"id": AUTH[rep["id"]]}}}},
    "people": {"Author": {"__resolveReference": lambda rep, info: {"id": rep["id"], "name": NAMES[rep["id"]], "heavy": rep["id"] == "a2"}}},
    "films": {"Film": {"__resolveReference": lambda rep, info: {"id": rep["id"], "minutes": MIN[rep["id"]]}}},
    "ship": {"Cart": {"weight": weight, "count": count}},
}
