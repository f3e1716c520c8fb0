"""Type-level access control (@authenticated / @requiresScopes on object types): a protected
implementation of an interface (Invoice of Node), a protected member of a union (Secret of Media)
and a protected root type (Mutation). The subgraphs check nothing: the gateway leaves out what the
request's JWT (HS256, hs256.secret) does not allow. A field asked of the interface is left out
when one of its implementations is protected (the plan cannot tell the objects apart), a fragment
on a protected type is left out (its objects answer none of its fields), `__typename` stays, and
no root field of a protected root type runs (the subgraph gets no request)."""

NODES = [{"__typename": "User", "id": "1", "name": "Ada"}, {"__typename": "Invoice", "id": "2", "amount": 30}]
MEDIA = [{"__typename": "Photo", "url": "p.png"}, {"__typename": "Secret", "code": "xyz"}]

RESOLVERS = {
    "accounts": {
        "Query": {
            "nodes": lambda parent, args, info: [dict(n) for n in NODES],
            "media": lambda parent, args, info: [dict(m) for m in MEDIA],
            "me": lambda parent, args, info: dict(NODES[0]),
        },
        "Mutation": {
            "rename": lambda parent, args, info: {"id": "1", "name": args["name"]},
        },
        "User": {"__resolveReference": lambda rep, info: dict(NODES[0])},
        "Invoice": {"__resolveReference": lambda rep, info: dict(NODES[1])},
    },
    "billing": {
        "Invoice": {"__resolveReference": lambda rep, info: {"id": rep["id"], "due": "2027-01-31"}},
    },
}
