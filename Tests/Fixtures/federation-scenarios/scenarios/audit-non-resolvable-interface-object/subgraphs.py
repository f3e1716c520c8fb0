"""After the federation gateway audit's `non-resolvable-interface-object` suite (the-guild-org/graphql-federation-gateway-audit).

Subgraph a owns `interface Node @key(fields: "id")` with no implementation and sees Product as a
non-resolvable @interfaceObject; subgraph b sees Node as a non-resolvable @interfaceObject and owns
`interface Product` with Bread. Query.a answers `{__typename: "Node"}`, which is no object type:
the subgraph's executor errors on it, as graphql-js does."""

PRODUCTS = [{"__typename": "Bread", "id": "p1", "name": "Bread"}]


def raise_(msg):
    def fn(*_):
        raise Exception(msg)
    return fn


def product_ref(key, info):
    p = next((p for p in PRODUCTS if p["id"] == key["id"]), None)
    return dict(p) if p else None


RESOLVERS = {
    "a": {
        "Query": {
            "a": lambda parent, args, info: {"__typename": "Node", "id": "n1"},
            "product": lambda parent, args, info: {"__typename": "Product", "id": PRODUCTS[0]["id"]},
        },
        "Node": {"__resolveReference": raise_("Not resolvable as it is an interface object")},
    },
    "b": {
        "Query": {"b": lambda parent, args, info: {"__typename": "Node", "id": "n1"}},
        "Node": {"__resolveReference": raise_("Not resolvable"), "field": lambda parent, args, info: "foo"},
        "Product": {"__resolveReference": product_ref},
        "Bread": {"__resolveReference": product_ref},
    },
}
