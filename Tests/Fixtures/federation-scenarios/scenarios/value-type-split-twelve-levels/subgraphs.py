"""A @shareable value type split between two subgraphs at every one of twelve levels
(Item.v1.next…: x1..x12 in a, y1..y12 in b). The planner's reach estimates stop at a depth
bound; an estimate cut short there was kept and reused nearer the top, and the plan failed at
the twelfth level (review of session 52). Each part is fetched where it is, merged."""
N = 12


def value(letter, base):
    def build(k):
        v = {"%s%d" % (letter, k): base * 100 + k}
        if k < N:
            v["next"] = build(k + 1)
        return v
    return build(1)


RESOLVERS = {
    "a": {"Query": {"list": lambda p, a, i: [{"id": "1"}, {"id": "2"}]},
          "Item": {"v1": lambda p, a, i: value("x", int(p["id"]))}},
    "b": {"Item": {"v1": lambda p, a, i: value("y", int(p["id"]))}},
}
