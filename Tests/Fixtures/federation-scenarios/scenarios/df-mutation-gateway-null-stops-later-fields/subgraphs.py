"""Where a mutation ends when the gateway itself nulls a non-null root field (probe 55D, against one
graphql-core server): the field's answer holds a value the API schema hides (`status` answered with
the @inaccessible `HIDDEN`), or its selection a null `@include`/`@skip` condition (`$v: Boolean = false`
sent as null) — `data` is null and, by §6.2.2, no later mutation field runs. Consecutive fields of one
subgraph went in one request with the first, so the later ones ran at the subgraph anyway: writes the
client never saw. Now a field after a non-null one gets a request of its own (not sent once `data` is
null); after a nullable one it still shares the request. Each request a subgraph gets is counted."""


def item(i, status="OK"):
    return {"__typename": "Item", "id": i, "name": "item " + i, "status": status}


RESOLVERS = {
    "a": {
        "Query": {"item": lambda p, a, i: item(a["id"])},
        "Mutation": {"make": lambda p, a, i: item(a["id"], "HIDDEN" if a["id"] == "h" else "OK"),
                     "makeMaybe": lambda p, a, i: item(a["id"])},
    },
    "b": {
        "Item": {"__resolveReference": lambda rep, info: {"id": rep["id"], "stock": 1}},
        "Mutation": {"bump": lambda p, a, i: {"__typename": "Item", "id": a["id"], "stock": 1}},
    },
}
