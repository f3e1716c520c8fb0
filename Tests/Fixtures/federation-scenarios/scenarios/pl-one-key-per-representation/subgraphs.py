"""s3 keys T by `c3` and by `o1 { id }`; the plan reaches it through both (`c3` from s1, `o1`
from s4). Each representation carries one key: a subgraph may match a representation to the key
it names (this s3 refuses one with both), and one fetch waiting for both keys' inputs held back
the other's fields. Two keys' fields in one representation were sent (probe 56F)."""


def eid(rep):
    for key, value in rep.items():
        if key == "__typename":
            continue
        if isinstance(value, dict):
            value = value.get("id")
        if isinstance(value, str) and ":" in value:
            return value.split(":", 1)[1]
        if isinstance(value, int):
            return f"e{value}"
    return None


def ref(rep, info):
    return {"__typename": "T", "eid": eid(rep)}


def strict_ref(rep, info):
    keys = [k for k in ("c3", "o1") if k in rep]
    if len(keys) != 1:
        raise Exception(f"a representation names one key, this one {keys}")
    return ref(rep, info)


def scalar(name):
    return lambda p, a, i: f"{name}:{p['eid']}"


def obj(name):
    return lambda p, a, i: {"id": f"{name}:{p['eid']}"}


RESOLVERS = {
    "s2": {"Query": {"t": lambda _, a, i: [{"__typename": "T", "eid": e, "c1": f"c1:{e}", "a1": n} for n, e in ((1, "e1"), (2, "e2"))]}},
    "s1": {"T": {"__resolveReference": lambda rep, info: {"__typename": "T", "eid": f"e{rep['a1']}"}, "c1": scalar("c1"),
                 "a1": lambda p, a, i: int(p["eid"][1:]), "c3": scalar("c3"), "q0": lambda p, a, i: "q0:" + p["nm"]}},
    "s3": {"T": {"__resolveReference": strict_ref, "o1": obj("o1"), "c3": scalar("c3"), "o2": obj("o2"), "c5": scalar("c5")}},
    "s4": {"T": {"__resolveReference": ref, "c3": scalar("c3"), "o1": obj("o1"), "nm": scalar("nm")}},
    "s5": {"T": {"__resolveReference": ref, "o2": obj("o2"), "c5": scalar("c5"), "d2": scalar("d2")}},
}
