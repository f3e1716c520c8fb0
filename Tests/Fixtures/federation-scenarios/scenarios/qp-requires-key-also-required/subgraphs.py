"""Apollo 'require of multiple field, when one is also a key to reach another'."""


def b_ref(rep, info):
    if "req1" not in rep or "req2" not in rep:
        raise Exception("missing requires")
    return {"id1": rep["id1"], "v": rep["req1"] * 100 + rep["req2"]}


RESOLVERS = {
    "a": {"Query": {"t": lambda p, a, i: {"id1": "x", "req1": 7}},
          "T": {"__resolveReference": lambda rep, info: {"id1": "x", "req1": 7}}},
    "b": {"T": {"__resolveReference": b_ref}},
    "c": {"T": {"__resolveReference": lambda rep, info: {"req1": rep["req1"], "req2": rep["req1"] + 1}}},
}
