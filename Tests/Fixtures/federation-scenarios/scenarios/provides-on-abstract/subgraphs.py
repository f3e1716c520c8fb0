"""@provides on fields of abstract type: a union field that provides a field of one member,
and an interface field that provides an interface field. The subgraph that provides what the
query asks is chosen for the root field, so no entity fetch is needed for it."""

HEADLINES = {"a1": "Hello", "a2": "Again", "v1": "Clip"}


def feed(with_headlines):
    def resolve(parent, args, info):
        items = [{"__typename": "Article", "id": "a1"}, {"__typename": "Video", "id": "v1"}, {"__typename": "Article", "id": "a2"}]
        if with_headlines:
            for i in items:
                if i["__typename"] == "Article":
                    i["headline"] = HEADLINES[i["id"]]
        return items
    return resolve


def shelf(parent, args, info):
    return [{"__typename": "Article", "id": k, "headline": HEADLINES[k]} for k in ("a1", "a2")]


def reference(rep, info):
    return {"__typename": rep["__typename"], "id": rep["id"], "headline": HEADLINES.get(rep["id"])}


RESOLVERS = {
    "catalog": {"Query": {"feed": feed(False)}},
    "stream": {"Query": {"feed": feed(True), "shelf": shelf}},
    "content": {
        "Query": {"shelf": shelf},
        "Article": {"__resolveReference": reference},
        "Video": {"__resolveReference": reference},
    },
}
