"""A @requires input the client also selects under an alias (`wt: weight`), failing for p2 (probe 55D,
against one graphql-core server): one field, one error at the client's path. The gateway's own input
fetch (`weight`, the planner's) added a second copy of the error, cut to the entity's path."""
IDS = ["p1", "p2", "p3"]


def weight(p, a, i):
    if p["id"] == "p2":
        raise Exception("weight failed p2")
    return int(p["id"][1:])


def h(p, a, i):
    if p["pid"] == "p3":
        raise Exception("h failed p3")
    return 2


RESOLVERS = {
    "a": {"Query": {"products": lambda p, a, i: [{"__typename": "Product", "id": x} for x in IDS]},
          "Product": {"weight": weight, "name": lambda p, a, i: "n" + p["id"], "dims": lambda p, a, i: {"pid": p["id"]}},
          "Dims": {"w": lambda p, a, i: 1, "h": h}},
    "b": {"Product": {"shipping": lambda p, a, i: f"ship:{p.get('weight')}",
                      "area": lambda p, a, i: f"area:{(p.get('dims') or {}).get('w')}x{(p.get('dims') or {}).get('h')}"}},
}
