"""After the federation gateway audit's `requires-with-fragments` suite (the-guild-org/graphql-federation-gateway-audit).

b's Entity.requirer requires `data { foo ... on Bar { bar ... on Baz { baz } ... on Qux { qux } } }`
(data is an interface field resolved by a) and requirer2 requires `data { ... on Foo { foo } }`; Baz
is @inaccessible in b, so e1's data (a Baz) is null in the answer, yet requirer still gets it."""

ENTITIES = [{"id": "e1", "data": "b1"}, {"id": "e2", "data": "q1"}]
BAZS = [{"__typename": "Baz", "id": "b1", "foo": "b1-foo", "bar": "b1-bar", "baz": "b1-baz"}]
QUXS = [{"__typename": "Qux", "id": "q1", "foo": "q1-foo", "bar": "q1-bar", "qux": "q1-qux"}]


def find_entity(id_):
    return next((e for e in ENTITIES if e["id"] == id_), None)


def entity_data(entity, args, info):
    e = find_entity(entity["id"])
    data = e["data"] if e else None
    if not data:
        return None
    for pool in (BAZS, QUXS):
        hit = next((x for x in pool if x["id"] == data), None)
        if hit:
            return dict(hit)
    raise Exception("Invalid data")


def a_ref(key, info):
    e = find_entity(key["id"])
    return dict(e) if e else None


def b_ref(key, info):
    e = find_entity(key["id"])
    if not e:
        return None
    return {**e, **key}


def _js_concat(value, suffix):
    # JavaScript's `entity.data.foo + suffix` (undefined when data is still the id string)
    foo = value.get("foo") if isinstance(value, dict) else None
    return ("undefined" if foo is None else str(foo)) + suffix


def requirer(entity, args, info):
    if "data" not in entity:
        raise Exception("Expected entity to have a data field")
    return _js_concat(entity["data"], "_requirer")


def requirer2(entity, args, info):
    if "data" not in entity:
        raise Exception("Expected entity to have a data field")
    return _js_concat(entity["data"], "_requirer2")


RESOLVERS = {
    "a": {
        "Query": {"a": lambda parent, args, info: dict(ENTITIES[1])},
        "Entity": {"__resolveReference": a_ref, "data": entity_data},
    },
    "b": {
        "Query": {"b": lambda parent, args, info: dict(ENTITIES[0]), "bb": lambda parent, args, info: dict(ENTITIES[1])},
        "Entity": {"__resolveReference": b_ref, "data": entity_data, "requirer": requirer, "requirer2": requirer2},
    },
}
