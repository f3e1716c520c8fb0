"""Apollo 'handles fragments with directive conditions' (both tests; `is`, the title and the reverse direction ours).
I (from A) and I2 (from B) share T1/T2; A knows nothing of I2."""
A = {"1": {"__typename": "T1", "id": "1", "_id": "_1"}, "2": {"__typename": "T2", "id": "2", "_id": "_2"}}
RESOLVERS = {
    "A": {"Query": {"i": lambda p, a, i: A["1"], "is": lambda p, a, i: [A["1"], A["2"]]},
          "T1": {"__resolveReference": lambda rep, info: A[rep["id"]]},
          "T2": {"__resolveReference": lambda rep, info: A[rep["id"]]}},
    "B": {"Query": {"i2s": lambda p, a, i: [{"__typename": "T2", "id": "2", "title": "two"}, {"__typename": "T1", "id": "1", "title": "one"}]},
          "T1": {"__resolveReference": lambda rep, info: {"id": rep["id"], "title": {"1": "one", "2": "two"}[rep["id"]]}},
          "T2": {"__resolveReference": lambda rep, info: {"id": rep["id"], "title": {"1": "one", "2": "two"}[rep["id"]]}}},
}
