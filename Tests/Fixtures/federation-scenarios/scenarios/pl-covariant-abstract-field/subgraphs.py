"""A shared field of an object type in one subgraph (`book: Book` in a) and of a union in another
(`book: Media` in b) is `Media` in the supergraph. Fetched from a, the answer must still say
which object it is (`__typename`): without it the gateway could not type the union's value and
answered null with an error."""

BOOK = {"__typename": "Book", "title": "Dune"}

RESOLVERS = {
    "a": {"Query": {"book": lambda _, a, i: dict(BOOK)}},
    "b": {"Query": {"book": lambda _, a, i: dict(BOOK)}},
}
