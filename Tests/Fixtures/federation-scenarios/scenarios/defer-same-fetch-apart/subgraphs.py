"""A deferred fetch and a non-deferred one with the same subgraph and selection
(`{ x: user(id: "u1") { ... @defer { nick } } user(id: "u1") { nick } }`) went as one request: the
non-deferred one's errors went with the deferred fragment (or were lost when it was never
delivered). Now the two never go together (`FetchNode.sameRequest` tells them apart).
DeferTests reads the payloads; tests.json holds plain answers."""
USERS = {"u1": {"name": "Ada"}}
TITLES = {"b1": "Dune", "b2": "Emma"}


def rating(m, a, i):
    if m["id"] == "b2":
        raise Exception("rating failed")
    return 4.5


def nick(u, a, i):
    raise Exception("nick down for " + u["id"])


RESOLVERS = {
    "a": {"Query": {"user": lambda _, a, i: {"id": a["id"], **USERS[a["id"]]} if a["id"] in USERS else None,
                    "media": lambda _, a, i: {"__typename": "Book", "id": a["id"], "title": TITLES[a["id"]]} if a["id"] in TITLES else None},
          "User": {"__resolveReference": lambda rep, i: {"id": rep["id"], **USERS[rep["id"]]}},
          "Media": {"__resolveReference": lambda rep, i: {"__typename": "Book", "id": rep["id"], "title": TITLES[rep["id"]]}},
          "Book": {"__resolveReference": lambda rep, i: {"id": rep["id"], "title": TITLES[rep["id"]]}}},
    "d": {"Media": {"__resolveReference": lambda rep, i: {"id": rep["id"]}, "rating": rating}},
    "b": {"User": {"__resolveReference": lambda rep, i: {"id": rep["id"], "score": 7}, "nick": nick}},
    "c": {"User": {"__resolveReference": lambda rep, i: {"id": rep["id"], "level": 3}}},
}
MONOLITH_SDL = """
type Query { user(id: ID!): User media(id: ID!): Media }
interface Media { id: ID! title: String rating: Float }
type Book implements Media { id: ID! title: String rating: Float }
type User { id: ID! name: String nick: String score: Int level: Int }
"""
MONOLITH = {"Query": {"user": lambda _, a, i: {"id": a["id"], "score": 7, "level": 3, **USERS[a["id"]]} if a["id"] in USERS else None},
            "User": {"nick": nick}}
TESTS = [
    ("plain: both positions report", '{ x: user(id: "u1") { nick } user(id: "u1") { nick } }'),
]
