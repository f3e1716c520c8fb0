"""A fetch every field of which `@skip`/`@include` leave out, each by a variable of its own
(probe 36A-01): the planner puts a fetch under one `Include` only when all its fields share a
condition; a fetch for `a @include(if: $x)` and `b @skip(if: $y)` was sent whatever the
variables said, and when it failed the client got an error for fields it had not asked for.
The fetch now runs only when one of its fields' conditions holds. Both `details` and `flaky`
fail every request they get: any request they count was one the gateway should not have sent."""
import fedkit


def fail(*_):
    raise fedkit.RequestFailed("this subgraph is down")


RESOLVERS = {
    "catalog": {
        "Query": {"item": lambda p, a, i: {"__typename": "Item", "id": "i1"}},
    },
    "details": {
        "Item": {"__resolveReference": fail},
    },
    "flaky": {
        "Query": {"one": fail, "two": fail},
    },
}
