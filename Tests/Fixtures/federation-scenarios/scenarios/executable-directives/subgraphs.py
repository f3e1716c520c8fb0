"""Executable directives every subgraph defines (`@upper`, `@repeat`) are the supergraph's: clients
may use them, and each subgraph gets them on its fields as the client wrote them (it is the
subgraph that knows what they mean). `@repeat` is composed with what both definitions share:
`times` (not `separator`), on FIELD only (not QUERY)."""

from graphql.execution.values import get_directive_values


def styled(value, info):
    node = info.field_nodes[0]
    for d in node.directives or []:
        if d.name.value == "upper":
            value = value.upper()
        if d.name.value == "repeat":
            value = value * get_directive_values(info.schema.get_directive("repeat"), node, info.variable_values)["times"]
    return value


RESOLVERS = {
    "greetings": {
        "Query": {
            "greeting": lambda parent, args, info: styled("hello", info),
            "me": lambda parent, args, info: {"id": "1"},
        },
    },
    "people": {
        "User": {
            "__resolveReference": lambda rep, info: {"id": rep["id"]},
            "name": lambda parent, args, info: styled("ada", info),
        },
    },
}
