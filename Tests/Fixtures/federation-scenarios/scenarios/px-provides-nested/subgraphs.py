"""router provides.rs 'it_works_with_nested_provides'. Subgraph1 only has the value where it provides it."""
RESOLVERS = {
    "Subgraph1": {"Query": {"doSomething": lambda p, a, i: {"responseValue": {"subResponseValue": {"id": "s1"}}},
                            "doSomethingWithProvides": lambda p, a, i: {"responseValue": {"subResponseValue": {"id": "s1", "subSubResponseValue": 42}}}}},
    "Subgraph2": {"SubSubResponse": {"__resolveReference": lambda rep, info: {"id": rep["id"], "subSubResponseValue": {"s1": 42}[rep["id"]]}}},
}
