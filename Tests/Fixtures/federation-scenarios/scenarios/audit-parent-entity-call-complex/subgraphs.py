"""After the federation gateway audit's `parent-entity-call-complex` suite (the-guild-org/graphql-federation-gateway-audit).

Product.category is shareable in a (with details) and b (with id); Category is an entity only in
c (name). From d's root, details comes from a and name from c via the id b gives."""

RESOLVERS = {
    "a": {
        "Product": {"__resolveReference": lambda product, info: {
            "id": product["id"], "category": {"details": f"Details for Product#{product['id']}"}}},
    },
    "b": {
        "Product": {"__resolveReference": lambda product, info: {"id": product["id"], "category": {"id": 3}}},
    },
    "c": {
        "Category": {"__resolveReference": lambda category, info: {
            "id": category["id"], "name": f"Category#{category['id']}"}},
    },
    "d": {
        "Product": {"__resolveReference": lambda product, info: {"id": product["id"], "name": f"Product#{product['id']}"}},
        "Query": {"productFromD": lambda parent, args, info: {"id": args["id"], "name": f"Product#{args['id']}"}},
    },
}
