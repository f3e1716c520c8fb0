"""Where a mutation's serial execution ends (probe 37A, differential against one graphql-core
server): §6.2.2 runs root mutation fields one after the other; once a non-null field's null has
made `data` null, the fields after it are not run.
- a non-null field whose value was nulled by what an entity fetch brought (`stock: Int!` null
  for item "q") made `data` null, but the gateway went on to run the mutation fields after it
  (only a failed root fetch stopped it): side effects the client never sees;
- a root fetch that failed (b answered HTTP 500) counted a non-null field the client had
  skipped (`read @include(if: $v)` with `$v` false): `data` was null and the fields after it
  were not run, with an error for one of them that had not.
Each request a subgraph gets is counted: a mutation the gateway should not have run shows."""
import fedkit


def boom(*_):
    raise fedkit.RequestFailed("b is down")


RESOLVERS = {
    "a": {
        "Mutation": {"makeItem": lambda p, a, i: {"__typename": "Item", "id": a["id"], "name": "item " + a["id"]},
                     "makeItems": lambda p, a, i: [{"__typename": "Item", "id": "p", "name": "item p"},
                                                   {"__typename": "Item", "id": "q", "name": "item q"}],
                     "inc": lambda p, a, i: {"value": 1}},
    },
    "b": {
        "Item": {"__resolveReference": lambda rep, info: {"id": rep["id"], "stock": None if rep["id"] == "q" else 5}},
        "Mutation": {"read": lambda p, a, i: 7, "boom": boom},
    },
}
