"""An interface owned by museum and extended by stats as an @interfaceObject whose field
(`related`) returns the interface again: one query path goes stats → museum → stats → museum
(or the other way), the same two subgraphs crossed twice (the planner once took the second
crossing for a cycle). Expected answers follow from the data below."""

EX = {"e1": ("Painting", "Sunflowers"), "e2": ("Sculpture", "David"), "e3": ("Painting", "Nighthawks")}
VIS = {"e1": 900, "e2": 1500, "e3": 40}
REL = {"e1": ["e3", "e2"], "e2": ["e1"], "e3": []}


def museum_ref(rep, info):
    t, title = EX[rep["id"]]
    return {"__typename": t, "id": rep["id"], "title": title}


def stats_ref(rep, info):
    if rep.get("__typename") != "Exhibit":
        raise Exception(f"stats: bad rep {rep}")
    return {"id": rep["id"]}


RESOLVERS = {
    "museum": {"Query": {"exhibits": lambda p, a, i: [museum_ref({"id": k}, i) for k in EX]},
               "Exhibit": {"__resolveReference": museum_ref},
               "Painting": {"__resolveReference": museum_ref},
               "Sculpture": {"__resolveReference": museum_ref}},
    "stats": {"Query": {"popular": lambda p, a, i: [{"id": k} for k in sorted(VIS, key=lambda k: -VIS[k])]},
              "Exhibit": {"__resolveReference": stats_ref,
                          "visitors": lambda p, a, i: VIS[p["id"]],
                          "related": lambda p, a, i: [{"id": k} for k in REL[p["id"]]]}}
}
