"""After the federation gateway audit's `authenticated-and-scopes` suite (the-guild-org/graphql-federation-gateway-audit).

The shared-root graph with access control: three subgraphs share Query.product / Query.products
(Product is a value type, no key) and each knows one field of it — name is @authenticated,
price needs the scope `price` or `all`, category needs both `category-name` and `category-id`
or `all` (@requiresScopes). The subgraphs themselves check nothing: the gateway must leave out
what the request's JWT (Authorization: Bearer, HS256, see hs256.secret and gateway.yaml) does not
allow, answering null for it with an error. The data is the audit's data.ts. The audit's newer
test.ts signs its tokens RS256 with a key pair made at start (served as JWKS); these tests sign
them HS256 with the audit's earlier secret `my-secret-key`, with a fixed iat and a far exp."""

PRODUCT = {
    "id": "1",
    "name": {"id": "1", "brand": "Brand 1", "model": "Model 1"},
    "category": {"id": "1", "name": "Category 1"},
    "price": {"id": "1", "amount": 1000, "currency": "USD"},
    "address": {"id": "1", "street": "123 Main St", "city": "Springfield"},
}


def only(field):
    return {
        "product": lambda parent, args, info: {"id": PRODUCT["id"], field: dict(PRODUCT[field])},
        "products": lambda parent, args, info: [{"id": PRODUCT["id"], field: dict(PRODUCT[field])}],
    }


RESOLVERS = {
    "category": {"Query": only("category")},
    "name": {"Query": only("name")},
    "price": {"Query": only("price")},
}
