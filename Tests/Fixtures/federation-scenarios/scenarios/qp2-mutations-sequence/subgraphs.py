"""Graph of Apollo's 'executes mutation operations in sequence'; a shared counter (reset per request) numbers calls."""
STATE = {"n": 0}
def nxt(p, a, i):
    STATE["n"] += 1
    return STATE["n"]
def reset():
    STATE["n"] = 0
    return 0
RESOLVERS = {
  "Subgraph1": {"Query": {"q1": lambda p, a, i: STATE["n"]}, "Mutation": {"m1": nxt}},
  "Subgraph2": {"Mutation": {"m2": nxt}},
}
HOOKS = {"reset": reset}
