"""Graph of Apollo's '__typename handling' tests ('does not needlessly consider options for __typename'), with
Query.t (ours) in Subgraph1 only through the key."""
RESOLVERS = {
  "Subgraph1": {"Query": {"s": lambda p, a, i: {"id": "s1"}, "t": lambda p, a, i: {"id": "t9"}}},
  "Subgraph2": {"S": {"__resolveReference": lambda r, i: {"id": r["id"], "t": {"id": "t1"}}},
                "T": {"__resolveReference": lambda r, i: {"id": r["id"]}, "x": lambda p, a, i: int(p["id"][1:])}},
  "Subgraph3": {"S": {"__resolveReference": lambda r, i: {"id": r["id"], "t": {"id": "t1"}}},
                "T": {"__resolveReference": lambda r, i: {"id": r["id"]}, "y": lambda p, a, i: int(p["id"][1:]) * 2}},
}
