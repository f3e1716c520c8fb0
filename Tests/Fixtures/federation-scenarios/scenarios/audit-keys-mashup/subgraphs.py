"""After the federation gateway audit's `keys-mashup` suite (the-guild-org/graphql-federation-gateway-audit).

A has four keys in both subgraphs, but a resolves it only by `id` and b only by
`id compositeId { two three }`; b's nameInB @requires a's name (its resolver raises without it)."""

DATA = {
    "a": {
        "1": {"id": "1", "pId": "a.1.pId", "name": "a.1", "compositeId": {
            "one": "a.1.compositeId.one", "two": "a.1.compositeId.two", "three": "a.1.compositeId.three"}},
        "2": {"id": "2", "pId": "a.2.pId", "name": "a.2", "compositeId": {
            "one": "a.2.compositeId.one", "two": "a.2.compositeId.two", "three": "a.2.compositeId.three"}},
    },
    "b": {
        "100": {"id": "100", "a": ["1"]},
        "200": {"id": "200", "a": ["1", "2"]},
    },
}


def a_ref(reference, info):
    # The only key that is resolvable in a is "id"
    obj = DATA["a"].get(reference.get("id"))
    if not obj:
        return None
    return {"__typename": "A", "id": obj["id"], "pId": obj["pId"], "compositeId": obj["compositeId"], "name": obj["name"]}


def b_b_ref(reference, info):
    obj = DATA["b"].get(reference.get("id"))
    if not obj:
        return None
    return {"__typename": "B", "id": obj["id"], "a": obj["a"]}


def b_a_list(parent, args, info):
    out = []
    for id_ in parent["a"]:
        obj = DATA["a"].get(id_)
        out.append(None if not obj else {"__typename": "A", "id": obj["id"], "pId": obj["pId"], "compositeId": obj["compositeId"]})
    return out


def b_a_ref(reference, info):
    obj = DATA["a"].get(reference.get("id"))
    if not obj:
        return None
    out = {"__typename": "A", "id": obj["id"], "pId": obj["pId"], "compositeId": obj["compositeId"]}
    if reference.get("name"):
        out["name"] = reference["name"]
    return out


def name_in_b(parent, args, info):
    if not parent.get("name"):
        raise Exception("A.name was not provided")
    return f"b.a.nameInB {parent['name']}"


RESOLVERS = {
    "a": {"A": {"__resolveReference": a_ref}},
    "b": {
        "Query": {"b": lambda parent, args, info: {"__typename": "B", "id": DATA["b"]["100"]["id"], "a": DATA["b"]["100"]["a"]}},
        "B": {"__resolveReference": b_b_ref, "a": b_a_list},
        "A": {"__resolveReference": b_a_ref, "nameInB": name_in_b},
    },
}
