"""Apollo '__typename handling: does not needlessly consider options for __typename' plus
'preserves aliased __typename'. T is a value type with different fields in s2 and s3."""
RESOLVERS = {
    "s1": {"Query": {"s": lambda p, a, i: {"id": "s"}}},
    "s2": {"S": {"__resolveReference": lambda rep, info: {"id": rep["id"], "t": {"x": 1}}}},
    "s3": {"S": {"__resolveReference": lambda rep, info: {"id": rep["id"], "t": {"id": "tt", "y": 2}}}},
}
