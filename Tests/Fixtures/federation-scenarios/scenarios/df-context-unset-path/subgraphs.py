"""Differential round 14D: Item.label takes a nullable contextual argument that Shop sets; Item is
also reached from User.cart, where no object above sets the context. There the argument is left
out (the subgraph sees null), instead of the whole operation failing to plan."""

ITEM = {"__typename": "Item", "id": "i1"}


def label(parent, args, info):
    return "%s@%s" % (parent["id"], args.get("currency"))


RESOLVERS = {
    "shops": {"Query": {"shop": lambda p, a, i: {"id": "s1", "currency": "EUR", "catalog": [ITEM]},
                        "user": lambda p, a, i: {"id": "u1", "cart": [ITEM]}}},
    "pricing": {"Item": {"__resolveReference": lambda rep, info: {"id": rep["id"]}, "label": label}},
}
