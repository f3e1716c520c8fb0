"""Graph of Apollo's buildPlan.defer test '@defer on query root type'; data ours."""
RESOLVERS = {
  "Subgraph1": {"Query": {"op1": lambda p, a, i: 1, "op2": lambda p, a, i: {"x": 10, "y": 20, "next": {}}}},
  "Subgraph2": {"Query": {"op3": lambda p, a, i: 3, "op4": lambda p, a, i: 4}},
}
