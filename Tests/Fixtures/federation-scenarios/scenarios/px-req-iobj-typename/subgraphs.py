"""router requires.rs 'allows_post_requires_input_with_typename_on_interface_object_type'. B resolves I ids to P
(p*) or Q (q*); C (an @interfaceObject) needs `required` and only knows type I. `starts` and Q are ours."""

REQ = {"p1": "req-p1", "q1": "req-q1"}


def b_i(rep, info):
    i = rep["id"]
    return {"__typename": "P" if i.startswith("p") else "Q", "id": i, "required": REQ[i]}


def c_i(rep, info):
    if rep.get("__typename") != "I":
        raise Exception(f"C knows only I, got {rep.get('__typename')}")
    return dict(rep)


def data(p, a, i):
    if "required" not in p:
        raise Exception("missing required")
    return "data:" + p["required"]


RESOLVERS = {
    "A": {"Query": {"start": lambda p, a, i: {"id": "p1"}, "starts": lambda p, a, i: [{"id": "p1"}, {"id": "q1"}]}},
    "B": {"I": {"__resolveReference": b_i},
          "P": {"__resolveReference": lambda rep, info: {"id": rep["id"], "required": REQ[rep["id"]]}},
          "Q": {"__resolveReference": lambda rep, info: {"id": rep["id"], "required": REQ[rep["id"]]}}},
    "C": {"I": {"__resolveReference": c_i, "data": data}},
}
