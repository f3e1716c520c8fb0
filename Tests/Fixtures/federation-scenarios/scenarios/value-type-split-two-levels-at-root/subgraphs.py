"""Root variant: a shareable root field of a value type, Info.deep.y in a and Info.deep.z in b (no
entity to jump through: each part from its own root fetch)."""
def info(keys):
    return lambda p, a, i: {"topy": 10, "topz": 20, "deep": {k: {"y": 1, "z": 2}[k] for k in keys}}

RESOLVERS = {"a": {"Query": {"info": info(["y"])}}, "b": {"Query": {"info": info(["z"])}}}
