"""A shareable value-type field of an interface (`Look.style`, Look itself a value type answered by a
and b) whose type's fields are split (Style.color in a, Style.size in b; Detail.hue / Detail.sat
likewise), under an entity's shareable field and under a shareable abstract root list: each part
where it is, merged — the planner divided only fields of object types, and passed a fragment's
parent type for its own (probe 52D)."""
LOOKS = [{"__typename": "Flat", "style": {"color": "red", "size": 1, "detail": {"hue": 10, "sat": 20}}},
         {"__typename": "Round", "radius": 7, "style": {"color": "blue", "size": 2, "detail": None}}]
ITEMS = {"i1": LOOKS[0], "i2": LOOKS[1]}
ref = lambda rep, info: dict(rep) if rep["id"] in ITEMS else None
look = lambda p, a, i: ITEMS[p["id"]]
R = {"Item": {"__resolveReference": ref, "look": look}, "Look": {"__resolveType": lambda o: o["__typename"]},
     "Query": {"looks": lambda p, a, i: LOOKS}}
RESOLVERS = {"a": dict(R, Query={"items": lambda p, a, i: [{"id": "i1"}, {"id": "i2"}], "looks": lambda p, a, i: LOOKS}), "b": R}
