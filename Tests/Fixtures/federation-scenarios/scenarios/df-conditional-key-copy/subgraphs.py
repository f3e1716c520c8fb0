"""An entity field selected twice, once without a condition and once under a variable
@include, where the conditional copy selects the key field under a condition of its own
(`product @include(if: $a) { id @include(if: $b) sku }`). The gateway aliases the key field of
the conditional copy (`_id_NNN: id`) and puts that alias into the representation of the entity
fetch that the unconditional copy needs. With $a false, the alias is absent from the response, so the
representation is incomplete. It also fails the other way round: `product { id @include(if: $b) name }
product @include(if: $a) { sku }` gives the representation `{ __typename _id_NNN: id id }`, and there the plain
`id` comes only from the excluded copy. The entity is then not fetched, and fields of the
*unconditional* selection come back null: silently for a nullable field, with an error
and null propagation for a non-null one (so it was; now a key field is given by any of its response
keys: `EntityKind.keys` groups them by field). The monolith (MONOLITH_SDL served by graphql-core)
gives the expected answers."""

PRODUCT = {"id": "p1", "name": "Table", "sku": "T-1", "price": 100}

RESOLVERS = {
    "reviews": {
        "Query": {"review": lambda _, a, i: {"id": "r1", "product": {"__typename": "Product", "id": "p1"}}},
    },
    "products": {
        "Product": {"__resolveReference": lambda rep, i: dict(PRODUCT) if rep.get("id") == "p1" else None},
    },
}

MONOLITH_SDL = """
type Query { review: Review }
type Review { id: ID! product: Product }
type Product { id: ID! name: String sku: String price: Int! }
"""
MONOLITH = {"Query": {"review": lambda _, a, i: {"id": "r1", "product": dict(PRODUCT)}}}

TESTS = [
    ("excluded copy with a conditional key field: the unconditional nullable field must still be fetched",
     "query($a: Boolean!, $b: Boolean!) { review { product { name } product @include(if: $a) { id @include(if: $b) sku } } }",
     {"a": False, "b": False}),
    ("the same with a non-null field: no error, no null propagation",
     "query($a: Boolean!, $b: Boolean!) { review { product { price } product @include(if: $a) { id @include(if: $b) sku } } }",
     {"a": False, "b": False}),
    ("the same with @skip on the copy",
     "query($s: Boolean!, $b: Boolean!) { review { product { name } product @skip(if: $s) { id @include(if: $b) sku } } }",
     {"s": True, "b": True}),
    ("even with the key field also selected without a condition",
     "query($a: Boolean!, $b: Boolean!) { review { product { name id } product @include(if: $a) { id @include(if: $b) sku } } }",
     {"a": False, "b": False}),
    ("the other way round: the conditional key field in the unconditional copy, the plain key only in the excluded one",
     "query($a: Boolean!, $b: Boolean!) { review { product { id @include(if: $b) name } product @include(if: $a) { sku } } }",
     {"a": False, "b": False}),
    ("fragment form: the copy sits in a skipped inline fragment",
     "query($s: Boolean!, $b: Boolean!) { review { product { name } ... @skip(if: $s) { product { id @include(if: $b) sku } } } }",
     {"s": True, "b": True}),
    ("excluded copy that selects only the conditional key field (right today)",
     "query($a: Boolean!) { review { product { name } product @include(if: $a) { id @skip(if: $a) } } }",
     {"a": False}),
    ("copy included, key field excluded (right today)",
     "query($a: Boolean!, $b: Boolean!) { review { product { name } product @include(if: $a) { id @include(if: $b) sku } } }",
     {"a": True, "b": False}),
    ("key field without its own condition (right today)",
     "query($a: Boolean!) { review { product { name } product @include(if: $a) { id sku } } }",
     {"a": False}),
]
