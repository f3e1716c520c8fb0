"""Apollo 'does not evaluate plans relying on a key field to fetch that same field'."""
O2I = {"o1": "i1"}
I2O = {v: k for k, v in O2I.items()}
RESOLVERS = {
    "Subgraph1": {"Query": {"t": lambda p, a, i: {"otherId": "o1"}}},
    "Subgraph2": {"T": {"__resolveReference": lambda rep, info: {"otherId": rep["otherId"], "id": O2I[rep["otherId"]]} if "otherId" in rep else {"id": rep["id"], "otherId": I2O[rep["id"]]}}},
}
