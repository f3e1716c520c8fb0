"""router field_merging_with_skip_and_include.rs operations on a graph of ours where `goodbye` lives in another
subgraph (Hello an entity): SubgraphBye must be asked exactly when some `goodbye` is kept."""
RESOLVERS = {"SubgraphSkip": {"Query": {"hello": lambda p, a, i: {"id": "h1", "world": "world!"},
                                        "extraFieldToPreventSkipIncludeNodes": lambda p, a, i: "extra"}},
             "SubgraphBye": {"Hello": {"__resolveReference": lambda rep, info: {"id": rep["id"], "goodbye": "goodbye!"}}}}
