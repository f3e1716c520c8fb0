"""An object that sets a context reached through a type condition — a union or interface
field's fragment on it, a named fragment, a list of a union — is the context's source for what
is below it: `Item.price(c @fromContext("$k { cur }"))` gets the Shop's `cur`. The argument was
silently left out there (only an object reached by a field of its own type was a source). A
Person sets no context: the nullable argument is left out for its item."""


def price(parent, args, info):
    return "%s@%s" % (parent["id"], args.get("c") or "-")


def shop(sid, cur, item):
    return {"__typename": "Shop", "id": sid, "cur": cur, "item": {"__typename": "Item", "id": item}}


RESOLVERS = {
    "a": {
        "Query": {
            "results": lambda _, a, i: [shop("s1", "EUR", "i1"), {"__typename": "Person", "id": "p1", "item": {"__typename": "Item", "id": "i2"}}],
            "one": lambda _, a, i: shop("s2", "USD", "i3"),
            "node": lambda _, a, i: shop("s1", "EUR", "i1"),
            "shop": lambda _, a, i: shop("s2", "USD", "i3"),
        },
        "Item": {"price": price},
    },
    "b": {"Item": {"name": lambda p, a, i: "name-" + p["id"]}},
}
