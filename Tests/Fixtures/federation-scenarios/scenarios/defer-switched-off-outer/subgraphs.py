"""A @defer switched off (`if: $d` false) that encloses an active @defer: the errors of a field of the
switched-off fragment (part of the first payload then) went into the inner fragment's entry when it
selected the same response key, even when it skipped it; the first payload had `nick: null` without
an error. A held error now goes by its fetch's fragment: to the first payload when that fragment's
@defer is off. DeferTests reads the payloads; tests.json holds plain answers."""
USERS = {"u1": {"handle": "ada", "pet": "p1"}, "u2": {"handle": "bob", "pet": "p2"}, "u3": {"handle": None, "pet": "p3"}}
PETS = {"p1": "Rex", "p2": None, "p3": "Tom"}
ORDER = ["u1", "u2", "u3"]
def nick(u, a, i):
    if u["id"] in ("u1", "u3"): raise Exception("nick down for " + u["id"])
    return "N" + u["id"]
def mood(u, a, i):
    if u["id"] == "u2": raise Exception("mood down for u2")
    return "ok"
def sound(p, a, i):
    if p["id"] == "p1": raise Exception("sound down for p1")
    return "woof"
def a_user(uid): return {"__typename": "User", "id": uid, "pet": {"__typename": "Pet", "id": USERS[uid]["pet"]}} if uid in USERS else None
RESOLVERS = {
    "a": {"Query": {"users": lambda _, a, i: [a_user(u) for u in ORDER], "user": lambda _, a, i: a_user(a["id"])},
          "User": {"__resolveReference": lambda rep, i: a_user(rep["id"])},
          "Pet": {"__resolveReference": lambda rep, i: {"id": rep["id"]}}},
    "b": {"User": {"__resolveReference": lambda rep, i: {"id": rep["id"], "handle": USERS[rep["id"]]["handle"]}, "nick": nick}},
    "c": {"Pet": {"__resolveReference": lambda rep, i: {"id": rep["id"], "name": PETS[rep["id"]]}, "sound": sound},
          "User": {"__resolveReference": lambda rep, i: {"id": rep["id"]}, "mood": mood}},
}
