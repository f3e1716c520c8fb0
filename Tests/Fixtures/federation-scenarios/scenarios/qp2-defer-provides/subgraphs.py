"""Graph of Apollo's buildPlan.defer test '@provides are ignored for deferred fields'; data ours.

Switchyard does not ignore them (its plan differs from Apollo's here, its answers do not): a deferred field
the parent's subgraph has only through `@provides` is fetched with its parent and delivered with its
fragment — an entity fetch to the field's owner would be one request more, and where the owner refuses
the entity (audit-provides-on-union) an error that the same query without `@defer` does not have."""
RESOLVERS = {
  "Subgraph1": {"Query": {"t": lambda p, a, i: {"id": "t1", "v1": 1, "v2": 2}}},
  "Subgraph2": {"T": {"__resolveReference": lambda r, i: {"id": r["id"], "v2": 2}}},
}
