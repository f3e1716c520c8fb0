"""A `@requires` field set that reads the requiring field's argument (`weight(unit: $unit)`), the
client giving that argument as a variable of its own that the request leaves out: the required
field must get what the requiring field's resolver gets — the argument's default ("g" for
`costG`), or null when it has none (`cost`), as when the client writes no argument at all. The
gateway put the client's variable itself in its place, so the omitted variable left `weight` to
its own default ("kg"). Found by differential fuzzing against one graphql-core server (probe 34B);
each resolver echoes what it got."""
import json


def echo(parent, args, info):
    return json.dumps({"args": args, "weight": parent.get("weight")}, sort_keys=True)


RESOLVERS = {
    "a": {
        "Query": {"items": lambda p, a, i: [{"__typename": "Item", "id": "i1"}]},
        "Item": {"weight": lambda p, a, i: "w:%s" % a.get("unit")},
    },
    "b": {
        "Item": {"cost": echo, "costG": echo},
    },
}
