"""Errors where a root fetch fails whole and where `@skip`/`@include` read variables (probe 35B,
differential fuzzing against one graphql-core server):
- a root fetch that failed (flaky answers HTTP 500) made every missing value of the response
  "explained": `items[0]` — an entity details did not find, whose non-null `detail` nulls it —
  came back null without its "Cannot return null" error (the run's "a root answer is missing"
  was one flag for the whole response; now it covers the failed fetch's own root fields);
- a failed root fetch whose field has `@include(if: $v)` gave its errors no path and no
  locations (conditional root fields were left out of the fetch's root paths; now the
  conditions are read with the request's variables);
- an error's locations listed a field `@include(if: false)` had left out (graphql-js gives the
  locations of the fields merged under the key that ran)."""
import fedkit


def x(parent, args, info):
    raise Exception("x failed")


def down(parent, args, info):
    raise fedkit.RequestFailed("flaky is down")


RESOLVERS = {
    "catalog": {
        "Query": {"items": lambda p, a, i: [{"__typename": "Item", "id": "i1"}, {"__typename": "Item", "id": "i2"}],
                  "t": lambda p, a, i: {"x": x}},
    },
    "details": {
        "Item": {"__resolveReference": lambda rep, info: None if rep["id"] == "i1" else {"id": rep["id"], "detail": "d-" + rep["id"]}},
    },
    "flaky": {
        "Query": {"down": down},
    },
}
