"""Two items of different types have the same owner entity (Person p1). The query asks
`owner { profile { bio } }` on every item and `owner { profile { verified } }` on Movies only; the
plan has two parallel _entities fetches to `people` (paths `items.@.owner` and
`items.@|[Movie].owner`). Profile.verified is null for p1 (a Boolean!), so in the Movie's position
profile is null; the Book's owner must keep `profile { bio }`. The gateway writes the Movie fetch's
null profile into the Book's owner too whenever that fetch is merged last (verified is slowed by
0.3 s here to make that order certain; without the delay it happens in about half the runs)."""
import time

PROFILE = {"bio": "hi", "verified": None}


def verified(p, a, i):
    time.sleep(0.3)
    return p["verified"]


RESOLVERS = {
    "shelf": {
        "Query": {"items": lambda _, a, i: [
            {"__typename": "Movie", "id": "m1", "owner": {"__typename": "Person", "id": "p1"}},
            {"__typename": "Book", "id": "b1", "owner": {"__typename": "Person", "id": "p1"}},
        ]},
    },
    "people": {
        "Person": {"__resolveReference": lambda rep, i: {"id": rep["id"], "profile": dict(PROFILE)}},
        "Profile": {"verified": verified},
    },
}

MONOLITH_SDL = """
type Query { items: [Item] }
interface Item { id: ID! owner: Person }
type Book implements Item { id: ID! owner: Person }
type Movie implements Item { id: ID! owner: Person }
type Person { id: ID! profile: Profile }
type Profile { bio: String verified: Boolean! }
"""
MONOLITH = {"Query": {"items": lambda _, a, i: [
    {"__typename": "Movie", "id": "m1", "owner": {"id": "p1", "profile": dict(PROFILE)}},
    {"__typename": "Book", "id": "b1", "owner": {"id": "p1", "profile": dict(PROFILE)}},
]}, "Profile": {"verified": lambda p, a, i: p["verified"]}}

TESTS = [
    ("a null in the Movie's owner.profile stays in the Movie's position",
     "{ items { owner { profile { bio } } ... on Movie { owner { profile { verified } } } } }"),
    ("the same with __typename only",
     "{ items { __typename owner { profile { __typename } } ... on Movie { owner { profile { verified } } } } }"),
]
