"""router requires.rs 'handles_requires_from_supergraph': U implements I only in Subgraph1, yet Subgraph2's @requires
selects `... on U { value }` inside the external `i`. r = 100 * len(name) + len(value) (value missing: -1)."""


def r(p, a, i):
    iv = p.get("i")
    if iv is None:
        raise Exception("missing i")
    value = iv.get("value")
    return 100 * len(iv["name"]) + (len(value) if value is not None else -1)


RESOLVERS = {
    "Subgraph1": {"Query": {"t": lambda p, a, i: {"id": "t1", "i": {"__typename": "U", "name": "abc", "value": "hello"}}}},
    "Subgraph2": {"T": {"r": r}},
}
