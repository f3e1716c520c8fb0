"""Apollo 'avoids unnecessary fetches' (`ts` ours): A's idA2 -> idA1 only through Subgraph4; U.v = 10 * n."""
A2TO1 = {"a2-1": "a1-1", "a2-2": "a1-2"}
A1TO2 = {v: k for k, v in A2TO1.items()}
TU = {"t1": "u1", "t2": "u2"}
TA = {"t1": "a2-1", "t2": "a2-2"}


def a4(rep, info):
    if "idA2" in rep:
        return {"idA2": rep["idA2"], "idA1": A2TO1[rep["idA2"]]}
    return {"idA1": rep["idA1"], "idA2": A1TO2[rep["idA1"]]}


RESOLVERS = {
    "Subgraph1": {"Query": {"t": lambda p, a, i: {"idT": "t1", "a": {"idA2": TA["t1"]}},
                            "ts": lambda p, a, i: [{"idT": k, "a": {"idA2": TA[k]}} for k in ("t1", "t2")]},
                  "T": {"__resolveReference": lambda rep, info: {"idT": rep["idT"], "a": {"idA2": TA[rep["idT"]]}}}},
    "Subgraph2": {"T": {"__resolveReference": lambda rep, info: {"idT": rep["idT"], "u": {"idU": TU[rep["idT"]]}}}},
    "Subgraph4": {"A": {"__resolveReference": a4}},
    "Subgraph5": {"U": {"__resolveReference": lambda rep, info: {"idU": rep["idU"], "v": 10 * int(rep["idU"][1:])}}},
}
