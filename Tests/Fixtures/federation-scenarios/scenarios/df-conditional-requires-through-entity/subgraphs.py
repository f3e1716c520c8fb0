"""A @requires whose input goes through another entity (`insured @requires(fields: "owner { name }")`)
under a variable condition that is false: the entity fetch that also carries the client's
unconditional fields (`nick`) was never sent, and they came back null without an error (the input's
nested `name` was not fetched, and the representation was taken as incomplete). An input no asked
field needs is now left out of the completeness test, nested fields included."""
DOGS = {"d1": ("u1", "rexy"), "d2": ("u2", "fido")}
PEOPLE = {"u1": "Ada", "u2": "Bob"}


def insured(name):
    return None if name is None else name.startswith("A")


RESOLVERS = {
    "core": {
        "Query": {"dog": lambda _, a, i: {"__typename": "Dog", "id": "d1", "owner": {"__typename": "Person", "id": "u1"}},
                  "dogs": lambda _, a, i: [{"__typename": "Dog", "id": d, "owner": {"__typename": "Person", "id": u}} for d, (u, _n) in DOGS.items()]},
        "Dog": {"__resolveReference": lambda rep, i: {"id": rep["id"], "owner": {"__typename": "Person", "id": DOGS[rep["id"]][0]}}},
    },
    "social": {
        "Dog": {"__resolveReference": lambda rep, i: {"id": rep["id"], "nick": DOGS[rep["id"]][1],
                                                      "insured": insured((rep.get("owner") or {}).get("name"))}},
        "Person": {"__resolveReference": lambda rep, i: {"id": rep["id"], "name": PEOPLE[rep["id"]]}},
    },
}
