"""router field_merging_with_skip_and_include.rs (all five tests), each with every combination of its variables."""
RESOLVERS = {"SubgraphSkip": {"Query": {"hello": lambda p, a, i: {"world": "world!", "goodbye": "goodbye!"},
                                        "extraFieldToPreventSkipIncludeNodes": lambda p, a, i: "extra"}}}
