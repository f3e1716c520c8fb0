"""root types protected in one subgraph only (Query @authenticated and Mutation
@requiresScopes in `a`); `b` adds public-looking root fields. The composed root types carry the
directives, so every root field is protected (Apollo: the whole operation is refused)."""
CALLS = []
RESOLVERS = {
    "a": {"Query": {"secret": lambda p, a, i: "SECRET-a"}, "Mutation": {"drop": lambda p, a, i: (CALLS.append("drop"), True)[1]}},
    "b": {"Query": {"open": lambda p, a, i: "open-b"}, "Mutation": {"openMut": lambda p, a, i: (CALLS.append("openMut"), "done")[1]}},
}
HOOKS = {"reset": lambda: CALLS.clear() or True, "calls": lambda: list(CALLS)}
