"""A @requires input (`spec { x y }`) of a shareable value type split between two subgraphs (Spec.x in
a, Spec.y in b), beside the client's own `spec` selections (with a condition, other arguments, an
alias, in fragments). Each half of the input must come under the same response key in the
representation: the half from a was aliased and the half from b was not (probe 52D), and `sum`
was computed from `x` alone."""
P = {"p1": {"main": {"x": "X1", "y": "Y1"}, "alt": {"x": "x1alt", "y": "y1alt"}}}
def spec(p, a, i):
    return P[p["id"]][a.get("v") or "main"]
def ref(rep, info):
    return dict(rep) if rep["id"] in P else None
def sum_(p, a, i):
    s = p.get("spec")
    if s is None or "x" not in s or "y" not in s: return "MISSING INPUT " + repr(p)
    return s["x"] + "+" + s["y"]
RESOLVERS = {
    "a": {"Query": {"products": lambda p, a, i: [{"id": "p1"}]}, "Product": {"__resolveReference": ref, "spec": spec}},
    "b": {"Product": {"__resolveReference": ref, "spec": spec}},
    "c": {"Product": {"__resolveReference": ref, "sum": sum_}},
}
