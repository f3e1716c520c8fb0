"""Graph of Apollo's buildPlan.defer test '@defer on mutation / mutations on different subgraphs'; data ours.
A counter shared by both subgraphs numbers the mutations (reset before each request): update1 then update2
must get ids "1" and "2". Entity fields are fixed per id."""
STATE = {"n": 0}
def nxt():
    STATE["n"] += 1
    return {"id": str(STATE["n"])}
def reset():
    STATE["n"] = 0
    return 0
def t_of(r, i):
    return {"id": r["id"], "v0": "v0-" + r["id"], "v1": "v1-" + r["id"]}
RESOLVERS = {
  "Subgraph1": {"Query": {"t": lambda p, a, i: t_of({"id": "0"}, i)}, "Mutation": {"update1": lambda p, a, i: t_of(nxt(), i)},
                "T": {"__resolveReference": t_of}},
  "Subgraph2": {"Mutation": {"update2": lambda p, a, i: nxt()},
                "T": {"__resolveReference": lambda r, i: {"id": r["id"]}, "v2": lambda p, a, i: "v2-" + p["id"]}},
}
HOOKS = {"reset": reset}
