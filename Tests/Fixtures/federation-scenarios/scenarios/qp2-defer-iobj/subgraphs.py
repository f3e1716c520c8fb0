"""@defer over the graph of qp-iobj-basic (Apollo's interfaceObject test graph); subgraphs and data copied from qp-iobj-basic."""
"""Apollo buildPlan.interfaceObject tests 'basic @key on interface/@interfaceObject handling' and
'avoids buffering @interfaceObject results that may have to filtered with lists' on one graph."""

S1 = {"a1": {"__typename": "A", "id": "a1", "x": 1, "z": 11}, "b1": {"__typename": "B", "id": "b1", "x": 2, "w": 22},
      "a2": {"__typename": "A", "id": "a2", "x": 3, "z": 33}}
Y = {"a1": 100, "b1": 200, "a2": 300}


def s1_ref(rep, info):
    o = S1.get(rep["id"])
    return dict(o) if o else None


def s2_obj(id_):
    return {"id": id_, "y": Y[id_], "expansiveField": "E-" + id_}


def s2_ref(rep, info):
    if rep.get("__typename") != "I":
        raise Exception(f"s2 got {rep}")
    return s2_obj(rep["id"])


RESOLVERS = {
    "s1": {"Query": {"iFromS1": lambda p, a, i: [dict(S1[k]) for k in ("a1", "b1", "a2")]},
           "I": {"__resolveReference": s1_ref}, "A": {"__resolveReference": s1_ref}, "B": {"__resolveReference": s1_ref}},
    "s2": {"Query": {"iFromS2": lambda p, a, i: [s2_obj(k) for k in ("b1", "a1")],
                     "everything": lambda p, a, i: [s2_obj(k) for k in ("a1", "b1", "a2")]},
           "I": {"__resolveReference": s2_ref}},
}
