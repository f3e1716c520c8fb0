"""Two deferred fragments at the root whose root fields one subgraph answers went as one root fetch:
one's non-null failure (`must: String!` null, or `users[1].username` null inside `users: [User!]!`)
came back as the other's root field null without an error (`{"data": {"me": null}, "path": []}`).
Each deferred root fragment now gets root fetches of its own (each is its own null boundary)."""
USERS = {"u1": "ada", "u3": None}

RESOLVERS = {
    "a": {"Query": {"me": lambda _, a, i: {"id": "u1", "username": "ada"},
                    "users": lambda _, a, i: [{"id": u, "username": n} for u, n in USERS.items()],
                    "must": lambda _, a, i: None},
          "User": {"__resolveReference": lambda rep, i: {"id": rep["id"], "username": USERS[rep["id"]]}}},
    "b": {"Query": {"other": lambda _, a, i: 7}},
}
