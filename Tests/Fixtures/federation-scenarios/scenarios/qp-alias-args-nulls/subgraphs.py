"""Aliases of one entity field with different arguments in one entity fetch, under @include with a
variable, with one entity failing (its non-null price nulls the product, not the list)."""
RATE = {"EUR": 1, "USD": 2}
BASE = {"p1": 10, "p2": 20}


def ref(rep, info):
    return {"id": rep["id"]}


def base(parent):
    if parent["id"] not in BASE:
        raise Exception("no such product " + parent["id"])
    return BASE[parent["id"]]


RESOLVERS = {
    "s1": {"Query": {"products": lambda p, a, i: [{"id": "p1", "name": "one"}, {"id": "p3", "name": "three"}, {"id": "p2", "name": "two"}]}},
    "s2": {"Product": {"__resolveReference": ref,
                       "price": lambda parent, args, info: base(parent) * RATE[args["currency"]],
                       "weight": lambda parent, args, info: base(parent) * (1000 if args.get("unit") == "mg" else 1)}},
}
