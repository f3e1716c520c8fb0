"""Ours, after Apollo's '@provides works on unions' and 'merged abstract types handling': Post.author is a shareable union
field, Bot an Actor only in S2; S1 provides the User name and Org title. Both subgraphs agree on every post."""
POSTS = {"p1": {"__typename": "User", "id": "u1"}, "p2": {"__typename": "Org", "id": "o1"}, "p3": {"__typename": "Bot", "id": "r1"}, "p4": None}
USERS = {"u1": ("Ann", 30)}
ORGS = {"o1": "Acme"}
LIKES = {"p1": 5, "p2": 6, "p3": 7, "p4": 8}


def s1_author(pid):
    a = POSTS[pid]
    if a is None:
        return None
    if a["__typename"] == "User":
        return {**a, "name": USERS[a["id"]][0]}
    return {**a, "title": ORGS[a["id"]]}


def s2_author(pid):
    a = POSTS[pid]
    if a is None:
        return None
    t, i = a["__typename"], a["id"]
    if t == "User":
        return {**a, "name": USERS[i][0], "age": USERS[i][1]}
    if t == "Org":
        return {**a, "title": ORGS[i]}
    return {**a, "label": "bot-" + i}


RESOLVERS = {
    "S1": {"Query": {"feed": lambda p, a, i: [{"id": k, "author": s1_author(k)} for k in ("p1", "p2", "p4")]},
           "Post": {"__resolveReference": lambda rep, info: {"id": rep["id"], "author": s1_author(rep["id"])}}},
    "S2": {"Query": {"others": lambda p, a, i: [{"id": k, "author": s2_author(k), "likes": LIKES[k]} for k in ("p3", "p1")]},
           "Post": {"__resolveReference": lambda rep, info: {"id": rep["id"], "author": s2_author(rep["id"]), "likes": LIKES[rep["id"]]}},
           "User": {"__resolveReference": lambda rep, info: {"id": rep["id"], "name": USERS[rep["id"]][0], "age": USERS[rep["id"]][1]}},
           "Org": {"__resolveReference": lambda rep, info: {"id": rep["id"], "title": ORGS[rep["id"]]}},
           "Bot": {"__resolveReference": lambda rep, info: {"id": rep["id"], "label": "bot-" + rep["id"]}}},
}
