"""After the federation gateway audit's `nested-requires` suite (the-guild-org/graphql-federation-gateway-audit).

service2's fields @require `userOrders { id }`, and service3's User.userOrders itself @requires
`lastName` from service1: a chain of two @requires hops."""


def totals(user, args, info):
    if not isinstance(user.get("userOrders"), list):
        raise Exception("UserOrders is required to be an array")
    return 0


def aggregated(user, args, info):
    if not isinstance(user.get("userOrders"), list):
        raise Exception("UserOrders is required to be an array")
    return 1


def user_orders(user, args, info):
    if not user.get("lastName"):
        raise Exception("LastName is required")
    return [{"id": f"{user['lastName']}1"}]


RESOLVERS = {
    "service1": {
        "Query": {"user": lambda parent, args, info: {"id": 1, "firstName": "Jake", "lastName": "Dawkins", "address": "everywhere"}},
    },
    "service2": {
        "User": {"totalOrdersPrices": totals, "aggregatedOrdersByStatus": aggregated},
    },
    "service3": {
        "User": {"userOrders": user_orders},
    },
}
