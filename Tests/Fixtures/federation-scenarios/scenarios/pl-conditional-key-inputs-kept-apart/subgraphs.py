"""A field asked always (`c6`) and one under `@include(if: $v)` (`d2`), both of s2, reached through
two different keys of s2: `id` (from s3) for `c6` — s6 could answer it too, and is where `d2`'s
key `c6` comes from, fetched only under `$v`. The fetches for the two are kept apart: one fetch
of s2 whose representations needed both keys lost every entity when `$v` was false (the `c6`
of s6 never fetched), and answered `c6` null with "Cannot return null" (probe 56E)."""

ENTITIES = ["A", "B"]


def eid(rep):
    for key, value in rep.items():
        if key == "__typename":
            continue
        if isinstance(value, dict):
            value = value.get("id")
        if isinstance(value, str) and ":" in value:
            return value.split(":", 1)[1]
    return None


def ref(rep, info):
    return {"__typename": "T0", "eid": eid(rep)}


def scalar(name):
    return lambda p, a, i: f"{name}:{p['eid']}"


def listed(name):
    return lambda p, a, i: [f"{name}:{p['eid']}"]


def o2(p, a, i):
    return {"id": "o2:" + p["eid"]}


RESOLVERS = {
    "s4": {"Query": {"t0_0": lambda _, a, i: [{"__typename": "T0", "eid": e} for e in ENTITIES]},
           "T0": {"c3": scalar("c3"), "c5": scalar("c5"), "o2": o2}},
    "s0": {"T0": {"__resolveReference": ref, "c1": scalar("c1"), "c5": scalar("c5"), "o2": o2}},
    "s3": {"T0": {"__resolveReference": ref, "id": scalar("id"), "c3": scalar("c3")}},
    "s6": {"T0": {"__resolveReference": ref, "c6": scalar("c6"), "c1": scalar("c1"), "d0": listed("d0")}},
    "s2": {"T0": {"__resolveReference": ref, "c6": scalar("c6"), "id": scalar("id"), "c5": scalar("c5"), "o2": o2, "d2": listed("d2")}},
}
