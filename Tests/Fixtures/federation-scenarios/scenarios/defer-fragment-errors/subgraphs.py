"""Errors of deferred fetches go with the fragment each fetch is for (`FetchNode.deferredFor`),
not the first entry whose path leads to them: two sibling fragments at one path selecting the same
failing field (`nick` raises for u3, non-null `handle` is null for u3) each carry their own error,
located in their own fragment; a fragment nested in one whose data was nulled is not delivered, and
neither are its errors (before, all of them went into the first entry). DeferTests reads the
payloads; tests.json holds plain answers."""
USERS = {"u1": {"handle": "ada"}, "u3": {"handle": None}}


def nick(u, a, i):
    if u["id"] == "u3":
        raise Exception("nick down for u3")
    return "N" + u["id"]


def sound(p, a, i):
    raise Exception("sound down for " + p["id"])


RESOLVERS = {
    "a": {"Query": {"user": lambda _, a, i: {"id": a["id"], "pet": {"id": "pet-" + a["id"]}} if a["id"] in USERS else None},
          "User": {"__resolveReference": lambda rep, i: {"id": rep["id"], "pet": {"id": "pet-" + rep["id"]}}},
          "Pet": {"__resolveReference": lambda rep, i: {"id": rep["id"]}}},
    "b": {"User": {"__resolveReference": lambda rep, i: {"id": rep["id"], "handle": USERS[rep["id"]]["handle"]}, "nick": nick}},
    "c": {"Pet": {"__resolveReference": lambda rep, i: {"id": rep["id"]}, "sound": sound}},
}
