"""Apollo context test 'accesses a different top level query'."""


def price(parent, args, info):
    return {"fr": 110, "en": 100}.get(args.get("locale"), -1)


RESOLVERS = {
    "s1": {"Query": {"me": lambda p, a, i: {"id": "me", "locale": "fr"}, "product": lambda p, a, i: {"id": "p1"}},
           "Product": {"__resolveReference": lambda rep, info: {"id": rep["id"]}, "price": price}},
    "s2": {"Query": {"randomId": lambda p, a, i: "r"}},
}
