"""Apollo '@requires ... @include and @skip' tests: a @requires under conditions on variables."""


def need(rep, k):
    if k not in rep:
        raise Exception(f"missing {k}")


def t2(rep, info):
    need(rep, "a")
    return {"id": rep["id"], "b": rep["a"] + 1}


def b3(rep, info):
    need(rep, "required")
    return {"idB": rep["idB"], "c": rep["required"] * 2}


RESOLVERS = {
    "s1": {"Query": {"t": lambda p, a, i: {"id": "t1", "a": 41}, "a": lambda p, a, i: {"idA": "A1"}}},
    "s2": {"T": {"__resolveReference": t2},
           "A": {"__resolveReference": lambda rep, info: {"idA": rep["idA"], "b": [{"idB": "B1", "required": 5}, {"idB": "B2", "required": 7}]}}},
    "s3": {"B": {"__resolveReference": b3}},
}
