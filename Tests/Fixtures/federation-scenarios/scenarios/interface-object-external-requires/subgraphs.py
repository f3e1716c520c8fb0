"""An implementation's field served only through the @interfaceObject of another subgraph
(`visitors` on `Exhibit` in stats), re-declared @external by a third subgraph that knows only
Painting, to @require it (Apollo's composition accepts this: the field's one resolvable
definition is the @interfaceObject's). The representation sent to artists carries visitors
fetched from stats as an Exhibit."""

EX = {"e1": ("Painting", "Sunflowers"), "e2": ("Sculpture", "David"), "e3": ("Painting", "Nighthawks")}
VIS = {"e1": 900, "e2": 1500, "e3": 40}
ARTIST = {"e1": "van Gogh", "e3": "Hopper"}
REL = {"e1": ["e3", "e2"], "e2": ["e1"], "e3": []}


def museum_ref(rep, info):
    t, title = EX[rep["id"]]
    return {"__typename": t, "id": rep["id"], "title": title}


def stats_ref(rep, info):
    if rep.get("__typename") != "Exhibit":
        raise Exception(f"stats: bad rep {rep}")
    return {"id": rep["id"]}


def artists_ref(rep, info):
    if rep.get("__typename") != "Painting" or rep["id"] not in ARTIST:
        raise Exception(f"artists: bad rep {rep}")
    return dict(rep)


def fame(parent, args, info):
    if "visitors" not in parent:
        raise Exception("artists: visitors missing")
    return "famous" if parent["visitors"] > 100 else "obscure"


RESOLVERS = {
    "museum": {"Query": {"exhibits": lambda p, a, i: [museum_ref({"id": k}, i) for k in EX]},
               "Exhibit": {"__resolveReference": museum_ref},
               "Painting": {"__resolveReference": museum_ref},
               "Sculpture": {"__resolveReference": museum_ref}},
    "stats": {"Query": {"popular": lambda p, a, i: [{"id": k} for k in sorted(VIS, key=lambda k: -VIS[k])]},
              "Exhibit": {"__resolveReference": stats_ref,
                          "visitors": lambda p, a, i: VIS[p["id"]],
                          "related": lambda p, a, i: [{"id": k} for k in REL[p["id"]]]}},
    "artists": {"Painting": {"__resolveReference": artists_ref,
                             "artist": lambda p, a, i: ARTIST[p["id"]], "fame": fame}},
}
