"""type-level access control — a protected implementation (Invoice), an interface field
protected on the interface only (Doc.body), an implementation's protected field (Letter.body),
union members each needing its own scope (Alpha/Beta) and same-named fields with different
scopes (Cat/Dog.secret, for the plan cache), a protected interface (Account) and union (Vault),
an entity protected in one subgraph only (Invoice in accounts, Receipt in billing). Protected
values are marked SECRET-…; CALLS records which resolvers of protected data ran."""
CALLS = []


def rec(name, value):
    def fn(parent, args, info):
        CALLS.append(name)
        return value
    return fn


NODES = [{"__typename": "User", "id": "u1", "label": "ada", "name": "Ada"},
         {"__typename": "Invoice", "id": "SECRET-inv-1", "label": "SECRET-inv-label", "amount": 30}]

RESOLVERS = {
    "accounts": {
        "Query": {
            "nodes": lambda p, a, i: [dict(n) for n in NODES],
            "me": lambda p, a, i: dict(NODES[0]),
            "docs": lambda p, a, i: [{"__typename": "Memo", "title": "m", "body": "SECRET-memo-body"},
                                     {"__typename": "Letter", "title": "l", "body": "SECRET-letter-body"}],
            "items": lambda p, a, i: [{"__typename": "Alpha", "a": "SECRET-a"}, {"__typename": "Beta", "b": "SECRET-b"}],
            "things": lambda p, a, i: [{"__typename": "Cat", "name": "tom"}, {"__typename": "Dog", "name": "rex"}],
            "accounts": lambda p, a, i: [{"__typename": "Admin", "id": "ad1", "email": "SECRET-admin@x", "level": 9}],
            "admin": lambda p, a, i: {"id": "ad1", "email": "SECRET-admin@x", "level": 9},
            "lastReceipt": lambda p, a, i: {"id": "r1", "total": 12},
        },
        "Cat": {"secret": rec("Cat.secret", "SECRET-cat")},
        "Dog": {"secret": rec("Dog.secret", "SECRET-dog")},
        "Alpha": {"a": rec("Alpha.a", "SECRET-a")},
        "Beta": {"b": rec("Beta.b", "SECRET-b")},
        "User": {"__resolveReference": lambda rep, info: dict(NODES[0])},
        "Invoice": {"__resolveReference": lambda rep, info: dict(NODES[1])},
        "Receipt": {"__resolveReference": lambda rep, info: {"id": rep["id"], "total": 12}},
    },
    "billing": {
        "Query": {"latestInvoice": lambda p, a, i: {"id": "SECRET-inv-1", "due": "SECRET-2027-01-31"}},
        "Invoice": {"__resolveReference": lambda rep, info: {"id": rep["id"], "due": "SECRET-2027-01-31"}},
        "User": {"invoices": lambda p, a, i: [{"id": "SECRET-inv-1", "due": "SECRET-2027-01-31"}]},
        "Receipt": {"__resolveReference": lambda rep, info: {"id": rep["id"], "card": "SECRET-card-4242"}},
    },
}


def _reset():
    CALLS.clear()
    return True


HOOKS = {"reset": _reset, "calls": lambda: list(CALLS)}
