"""router test non_merging_field_aliases: a response key shared by different fields in different
fragments, next to a client alias that looks like a generated one."""
RESOLVERS = {"s": {"Query": {"node": lambda p, a, i: [{"__typename": "A", "a": "AA"}, {"__typename": "B", "b": "BB"}]}}}
