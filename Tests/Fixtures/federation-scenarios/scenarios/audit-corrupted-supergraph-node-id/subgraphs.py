"""After the federation gateway audit's `corrupted-supergraph-node-id` suite (the-guild-org/graphql-federation-gateway-audit).

Both subgraphs have a shareable `Query.node(id: ID!): Node`, but a owns Account (Chat.id is
@external there) and b owns Chat (Account.id is @external there): each subgraph's node answers the
other's type with a bogus id "never". Node.id is therefore not resolvable for every Node through
either subgraph, and a gateway must route fragments to the subgraph that owns the type."""

ACCOUNTS = [{"__typename": "Account", "id": "a1", "username": "a1-username"}]
CHATS = [{"__typename": "Chat", "id": "c1", "accountId": "a1", "text": "c1-text"}]


def find(items, id_):
    return next((i for i in items if i["id"] == id_), None)


def account_view(a):
    return {"__typename": "Account", "id": a["id"], "username": a["username"]}


def chat_view(c):
    return {"__typename": "Chat", "id": c["id"], "text": c["text"]}


def a_node(parent, args, info):
    account = find(ACCOUNTS, args["id"])
    if account:
        return account_view(account)
    chat = find(CHATS, args["id"])
    if chat:
        return {"__typename": "Chat", "id": "never", "accountId": chat["accountId"]}
    return None


def a_account(parent, args, info):
    account = find(ACCOUNTS, args["id"])
    return account_view(account) if account else None


def a_chat_ref(key, info):
    chat = find(CHATS, key["id"])
    return {"__typename": "Chat", "id": chat["id"], "accountId": chat["accountId"]} if chat else None


def a_chat_account(chat, args, info):
    account = find(ACCOUNTS, chat.get("accountId"))
    return account_view(account) if account else None


def chat_ids(account_id):
    return [c["id"] for c in CHATS if c["accountId"] == account_id]


def b_node(parent, args, info):
    account = find(ACCOUNTS, args["id"])
    if account:
        return {"__typename": "Account", "id": "never", "chatIds": chat_ids(account["id"])}
    chat = find(CHATS, args["id"])
    if chat:
        return chat_view(chat)
    return None


def b_chat(parent, args, info):
    chat = find(CHATS, args["id"])
    return chat_view(chat) if chat else None


def b_account_ref(key, info):
    account = find(ACCOUNTS, key["id"])
    return {"__typename": "Account", "id": account["id"], "chatIds": chat_ids(account["id"])} if account else None


def b_account_chats(account, args, info):
    return [chat_view(c) for c in CHATS if c["id"] in account["chatIds"]]


def b_chat_ref(key, info):
    chat = find(CHATS, key["id"])
    return chat_view(chat) if chat else None


RESOLVERS = {
    "a": {
        "Query": {"node": a_node, "account": a_account},
        "Account": {"__resolveReference": lambda key, info: a_account(None, key, info)},
        "Chat": {"__resolveReference": a_chat_ref, "account": a_chat_account},
    },
    "b": {
        "Query": {"node": b_node, "chat": b_chat},
        "Account": {"__resolveReference": b_account_ref, "chats": b_account_chats},
        "Chat": {"__resolveReference": b_chat_ref},
    },
}
