"""After the federation gateway audit's `provides-on-interface` suite (the-guild-org/graphql-federation-gateway-audit).

b serves Query.media (an interface) with @provides(fields: "animals { id name }") although its Book is
not an entity there; Cat.age lives only in c, reached through the Book entity. As in the audit
(`pubishPoorPlans = true`), a's Query.media and c's Dog reference resolver throw: a good plan never
calls them."""

PUNISH_FOR_POOR_PLANS = True

MEDIAS = [{"__typename": "Book", "id": "m1", "animals": ["a1", "a2"]}]

ANIMALS = [
    {"__typename": "Dog", "id": "a1", "name": "Fido", "age": 3},
    {"__typename": "Cat", "id": "a2", "name": "Whiskers", "age": 6},
]


def find_animal(id_):
    return next((a for a in ANIMALS if a["id"] == id_), None)


def find_media(id_):
    return next((m for m in MEDIAS if m["id"] == id_), None)


# --- a
def a_media(parent, args, info):
    if PUNISH_FOR_POOR_PLANS:
        raise Exception("You should be using the 'a' subgraph!")
    media = MEDIAS[0]
    out = []
    for aid in media["animals"]:
        an = find_animal(aid)
        out.append({"__typename": an["__typename"], "id": an["id"]} if an else None)
    return {"__typename": media["__typename"], "id": media["id"], "animals": out}


def a_book(parent, args, info):
    book = MEDIAS[0]
    out = []
    for aid in book["animals"]:
        an = find_animal(aid)
        if not an:
            out.append(None)
        elif an["__typename"] == "Dog":
            out.append({"__typename": "Dog", "id": an["id"], "name": an["name"]})
        else:
            out.append({"__typename": an["__typename"], "id": an["id"]})
    return {"__typename": "Book", "id": book["id"], "animals": out}


# --- b
def b_media(parent, args, info):
    media = MEDIAS[0]
    out = []
    for aid in media["animals"]:
        an = find_animal(aid)
        out.append({"__typename": an["__typename"], "id": an["id"], "name": an["name"]} if an else None)
    return {"__typename": media["__typename"], "id": media["id"], "animals": out}


# --- c
def c_book_ref(key, info):
    m = find_media(key["id"])
    return {"__typename": "Book", "id": m["id"], "animals": m["animals"]} if m else None


def c_book_animals(book, args, info):
    out = []
    for aid in book["animals"]:
        an = find_animal(aid)
        out.append({"__typename": an["__typename"], "id": an["id"], "name": an["name"]} if an else None)
    return out


def c_cat_ref(key, info):
    an = find_animal(key["id"])
    return {"__typename": "Cat", "id": an["id"], "name": an["name"], "age": an["age"]} if an else None


def c_dog_ref(key, info):
    if PUNISH_FOR_POOR_PLANS:
        # Nothing in tests should be calling this resolver
        raise Exception("You should be using the 'c' subgraph!")
    an = find_animal(key["id"])
    return {"__typename": "Dog", "id": an["id"], "name": an["name"], "age": an["age"]} if an else None


def age(animal, args, info):
    an = find_animal(animal["id"])
    return an["age"] if an else None


RESOLVERS = {
    "a": {"Query": {"media": a_media, "book": a_book}},
    "b": {"Query": {"media": b_media}},
    "c": {
        "Book": {"__resolveReference": c_book_ref, "animals": c_book_animals},
        "Cat": {"__resolveReference": c_cat_ref, "age": age},
        "Dog": {"__resolveReference": c_dog_ref, "age": age},
    },
}
