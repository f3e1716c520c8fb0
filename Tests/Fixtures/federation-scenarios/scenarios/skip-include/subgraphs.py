"""@skip and @include on fields, fragment spreads, inline fragments and root fields, with literal
arguments, variables and variables with defaults: a part that is left out must not cost a
request to the subgraph it would need (nutrition, reviews), fields of one subgraph that are
skipped inside an entity fetch must still not appear, a field selected twice is included when any
occurrence is, and a query whose every root field is skipped answers `{}` without any request."""

RECIPES = [
    {"id": "R1", "title": "Lentil soup", "serves": 4},
    {"id": "R2", "title": "Fig tart", "serves": 8},
    {"id": "R3", "title": "Miso greens", "serves": 2},
]
NUTRITION = {"R1": (320, 18), "R2": (410, 6), "R3": (150, 9)}
REVIEWS = {
    "R1": [{"stars": 5, "text": "Hearty"}],
    "R2": [{"stars": 4, "text": "Rich"}, {"stars": 2, "text": "Too sweet"}],
    "R3": [],
}


def nutrition_ref(rep, info):
    if "id" not in rep:
        raise Exception("Recipe representation without id")
    calories, protein = NUTRITION[rep["id"]]
    return {"id": rep["id"], "calories": calories, "proteinGrams": protein}


def reviews_of(recipe, args, info):
    return [dict(r, recipe={"id": recipe["id"]}) for r in REVIEWS[recipe["id"]]]


def recipe_ref(rep, info):
    if "id" not in rep:
        raise Exception("Recipe representation without id")
    return {"id": rep["id"]}


RESOLVERS = {
    "recipes": {
        "Query": {"recipes": lambda parent, args, info: [dict(r) for r in RECIPES]},
        "Recipe": {"__resolveReference": lambda rep, info: dict(next(r for r in RECIPES if r["id"] == rep["id"]))},
    },
    "nutrition": {"Recipe": {"__resolveReference": nutrition_ref}},
    "reviews": {
        "Query": {"featuredReview": lambda parent, args, info: dict(REVIEWS["R2"][0], recipe={"id": "R2"})},
        "Recipe": {"__resolveReference": recipe_ref, "reviews": reviews_of},
    },
}
