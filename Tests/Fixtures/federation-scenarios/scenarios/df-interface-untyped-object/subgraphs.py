"""Objects in an abstract position without a usable __typename (left out, null, a number) — a
subgraph that misbehaves (probe 55D, against one graphql-core server): at a union's place each is a
field error and null, as graphql-js gives it; at an interface's place the gateway answered the object
typed as the interface itself (`{"__typename": "Plain", "id": "n1"}`, a type no object has) without an
error. Only an interface some subgraph knows as an @interfaceObject may hold an object known by the
interface alone; here none does."""
BAD = [{"__typename": "Book", "id": "b1"}, {"id": "n1"}, {"__typename": None, "id": "n2"}, {"__typename": 7, "id": "n3"}]


def strip(request, answer):
    for v in (answer.get("data") or {}).values():
        if isinstance(v, list):
            for i, x in enumerate(v):
                if isinstance(x, dict):
                    if "__typename" in BAD[i]:
                        x["__typename"] = BAD[i]["__typename"]
                    else:
                        x.pop("__typename", None)
    return answer


ANSWERS = {"a": strip}
ITEMS = lambda p, a, i: [{"__typename": "Book", "id": x["id"]} for x in BAD]
RESOLVERS = {"a": {"Query": {"plain": ITEMS, "things": ITEMS}}}
