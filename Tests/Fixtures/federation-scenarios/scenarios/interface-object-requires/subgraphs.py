"""@requires on fields of an @interfaceObject: accounts owns `interface Account @key(fields: "id")`
(PersonalAccount, BusinessAccount) and its `balance`; statements adds Account fields as an
@interfaceObject that require `balance { ... }` (from accounts) and `pendingCents` (from ledger,
another @interfaceObject). Checks that the required fields are fetched first, whatever subgraph
the root is in, that the representations statements receives are typed `Account` (it knows no
implementation) and carry the required selection, that a field required through one
implementation fragment is only asked for that type, and that client selections overlapping the
required ones (with aliases) come back as asked."""

ACCOUNTS = [
    {"__typename": "PersonalAccount", "id": "A1", "holder": "Ines Duarte",
     "balance": {"amountCents": 125000, "currency": "EUR"}, "overdraftLimitCents": 50000},
    {"__typename": "BusinessAccount", "id": "A2", "holder": "Kestrel Joinery Ltd",
     "balance": {"amountCents": 980050, "currency": "GBP"}, "companyNumber": "SC402117"},
    {"__typename": "PersonalAccount", "id": "A3", "holder": "Tomasz Wren",
     "balance": {"amountCents": 4200, "currency": "EUR"}, "overdraftLimitCents": 0},
    {"__typename": "BusinessAccount", "id": "A4", "holder": "Brightwell Bakery",
     "balance": {"amountCents": 7300, "currency": "GBP"}, "companyNumber": "NI655210"},
]

PENDING = {"A1": 25000, "A2": 50, "A3": 1200, "A4": 0}


def account(id_):
    a = next((a for a in ACCOUNTS if a["id"] == id_), None)
    return dict(a) if a else None


def accounts_ref(rep, info):
    if "id" not in rep:
        raise Exception("accounts: representation without id")
    return account(rep["id"])


def statements_ref(rep, info):
    if rep.get("__typename") != "Account" or "id" not in rep:
        raise Exception(f"statements: bad representation {rep}")
    return dict(rep)


def ledger_ref(rep, info):
    if rep.get("__typename") != "Account" or "id" not in rep:
        raise Exception(f"ledger: bad representation {rep}")
    return {"id": rep["id"], "pendingCents": PENDING[rep["id"]]}


def need_balance(parent, *fields):
    b = parent.get("balance")
    if not isinstance(b, dict) or any(f not in b for f in fields):
        raise Exception(f"statements: balance {{ {' '.join(fields)} }} missing for {parent.get('id')}")
    return b


def money(cents, currency):
    return f"{cents // 100}.{cents % 100:02d} {currency}"


def statement_line(parent, args, info):
    b = need_balance(parent, "amountCents", "currency")
    return f"{parent['id']}: {money(b['amountCents'], b['currency'])}"


def low_balance(parent, args, info):
    return need_balance(parent, "amountCents")["amountCents"] < 10000


def available(parent, args, info):
    b = need_balance(parent, "amountCents", "currency")
    if "pendingCents" not in parent:
        raise Exception(f"statements: pendingCents missing for {parent.get('id')}")
    return money(b["amountCents"] - parent["pendingCents"], b["currency"])


RESOLVERS = {
    "accounts": {
        "Query": {
            "accounts": lambda parent, args, info: [dict(a) for a in ACCOUNTS],
            "account": lambda parent, args, info: account(args["id"]),
        },
        "Account": {"__resolveReference": accounts_ref},
        "PersonalAccount": {"__resolveReference": accounts_ref},
        "BusinessAccount": {"__resolveReference": accounts_ref},
    },
    "statements": {
        "Query": {"flaggedAccounts": lambda parent, args, info: [{"id": "A4"}, {"id": "A1"}]},
        "Account": {
            "__resolveReference": statements_ref,
            "statementLine": statement_line,
            "lowBalance": low_balance,
            "available": available,
        },
    },
    "ledger": {"Account": {"__resolveReference": ledger_ref}},
}
