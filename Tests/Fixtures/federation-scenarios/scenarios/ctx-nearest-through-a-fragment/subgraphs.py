"""The nearest object setting a context is the source, also when it is reached through a type
condition: a Team (in a union list under an Org that sets the same context) gives its members
its own code; a Desk (setting none) leaves its member the Org's."""


def price(parent, args, info):
    return "%s@%s" % (parent["id"], args.get("c") or "-")


RESOLVERS = {
    "a": {
        "Query": {"org": lambda _, a, i: {
            "__typename": "Org", "id": "o1", "code": "ORG", "units": [
                {"__typename": "Team", "id": "t1", "code": "TEAM", "member": {"__typename": "Member", "id": "m1"}},
                {"__typename": "Desk", "id": "d1", "member": {"__typename": "Member", "id": "m2"}}]}},
        "Member": {"price": price},
    },
}
