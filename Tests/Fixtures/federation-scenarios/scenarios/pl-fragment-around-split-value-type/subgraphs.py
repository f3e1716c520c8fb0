"""An entity's value-type field two subgraphs each add fields to (`info { b }` from a, `info { c }`
from b), asked inside a fragment — bare, on its own type, named, conditional, deferred —: each
part of the fragment goes where it can be had, as the fields would bare. The fragment went whole
to one subgraph, and the operation was refused (QUERY_PLANNING_FAILED)."""

RESOLVERS = {
    "a": {"Query": {"t": lambda _, a, i: {"__typename": "T", "id": "t1", "info": {"a": 1, "b": 2}}}},
    "b": {"T": {"info": lambda p, a, i: {"a": 1, "c": 3}}},
}
