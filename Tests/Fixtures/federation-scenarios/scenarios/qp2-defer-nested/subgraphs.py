"""Graph of Apollo's buildPlan.defer test 'nested @defer'; data ours."""
NAMES = {"u1": "Ann", "u2": "Bob"}
MSGS = {"u1": [("m1", "hi", "u2"), ("m2", "yo", "u1")], "u2": [("m3", "hey", "u1")]}
def msgs(uid):
    return [{"id": m, "body": b, "author": {"id": a}} for (m, b, a) in MSGS[uid]]
RESOLVERS = {
  "Subgraph1": {"Query": {"me": lambda p, a, i: {"id": "u1", "name": "Ann"}},
                "User": {"__resolveReference": lambda r, i: {"id": r["id"], "name": NAMES[r["id"]]}}},
  "Subgraph2": {"User": {"__resolveReference": lambda r, i: {"id": r["id"]}, "messages": lambda p, a, i: msgs(p["id"])}},
}
