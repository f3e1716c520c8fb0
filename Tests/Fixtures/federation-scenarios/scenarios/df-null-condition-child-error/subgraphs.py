"""A condition variable with a default that the client sends as explicit null
(`$b: Boolean = false`, variables {"b": null}) makes `@include(if: $b)` an error where it is read:
graphql-core (and graphql-js) report "Argument 'if' ... must not be null" at the object whose
selection holds the condition, and null that object. It does so before any of that object's fields are
resolved. The gateway sends the subgraph `true` for the condition (commit 0140950, `$__if_b`). When
a sibling field of the same object then fails (here `verified: Boolean!` is null), the subgraph's
null nulls the object first, and the gateway reports only the sibling's error at
`creator.profile.verified`. It does not report the null-condition error at `creator.profile`. Data is the same. Only which
error is reported differs, and the monolith's (the client's own mistake, at the object that holds the
condition) is the one the spec's order of execution gives. So it was; now a null condition's error
stands for what lies below its object (the subgraph's errors from there are not reported), and an
object the subgraph nulled counts as one whose fields failed to be collected when the subgraph
reported errors below it (`Shaper.conditionErrors`). An object that is null with nothing reported
below it (`none`) has no error, as for a client of one schema."""


def flaky(*_):
    raise Exception("flaky failed")


def creator():
    return {"__typename": "Creator", "id": "c1", "profile": {"bio": "x", "verified": None},
            "card": {"title": "t", "flaky": flaky}, "none": None}

RESOLVERS = {
    "people": {
        "Query": {"creator": lambda _, a, i: creator()},
    },
}

MONOLITH_SDL = """
type Query { creator: Creator }
type Creator { id: ID! profile: Profile card: Card none: Profile }
type Profile { bio: String verified: Boolean! }
type Card { title: String flaky: String }
"""
MONOLITH = {"Query": {"creator": lambda _, a, i: creator()}}

TESTS = [
    ("explicit null condition beside a failing non-null sibling: the condition's error at the profile",
     "query($b: Boolean = false) { creator { profile { verified ... @include(if: $b) { bio } } } }", {"b": None}),
    ("field-level condition",
     "query($b: Boolean = false) { creator { profile { verified bio @include(if: $b) } } }", {"b": None}),
    ("the condition on the failing field itself (resolved by the subgraph, told true): the condition's error only",
     "query($b: Boolean = false) { creator { profile { verified @include(if: $b) } } }", {"b": None}),
    ("no failing sibling",
     "query($b: Boolean = false) { creator { profile { bio @include(if: $b) } } }", {"b": None}),
    ("a failing nullable sibling: the object is there, only the condition's error",
     "query($b: Boolean = false) { creator { card { flaky title @include(if: $b) } } }", {"b": None}),
    ("an object that is null: no error",
     "query($b: Boolean = false) { creator { id none { bio @include(if: $b) } } }", {"b": None}),
]
