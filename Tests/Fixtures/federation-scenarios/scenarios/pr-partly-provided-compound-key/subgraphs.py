"""Round 8 (found while building the new world z3). `Ship @key(fields: "id") @key(fields: "reg { country num }")` is owned by a;
b keys it by `reg { country num }` only (crew); c keys it by id and has `fleet: [Ship] @provides(fields: "reg { country }")`:
the compound key is only PARTLY provided (c's `Reg` has just `country`, @external).
`crew` is reachable from `fleet` the way it is from any other c path: c -> a by id, a gives `reg { country num }`, -> b.
Without the @provides (or with `@provides(fields: "id")`-like ones) the gateway composes and plans it that way. With it,
composition fails: "[SATISFIABILITY_ERROR] The field "Ship.crew" cannot be reached from subgraph(s) "c" (query path
Query.fleet): it is resolved only by "b", and no key of "Ship" there can be provided from "c"."
Cause (Satisfiability.swift, `canProvide`): a field the @provides names (`reg`) whose selection the @provides does not
cover (`num`) returns false at once, instead of falling back to the field from another subgraph through a key, as the
branch for locally resolved fields does (`elsewhere(f)`).
Before the fix the gateway refused to start."""

SHIPS = {"s1": (("NO", 1), "Orca", 3, 5), "s2": (("SE", 7), None, None, 2)}
BY_REG = {d[0]: k for k, d in SHIPS.items()}


def reg(s):
    return {"country": SHIPS[s][0][0], "num": SHIPS[s][0][1]}


def a_ship(s):
    return None if s is None else {"__typename": "Ship", "id": s, "reg": reg(s), "name": SHIPS[s][1]}


RESOLVERS = {
    "a": {"Query": {"ships": lambda _, a, i: [a_ship(s) for s in SHIPS]},
          "Ship": {"__resolveReference": lambda rep, i: a_ship(rep["id"] if "id" in rep else BY_REG.get((rep["reg"]["country"], rep["reg"]["num"])))}},
    "b": {"Ship": {"__resolveReference": lambda rep, i: {"reg": rep["reg"], "crew": SHIPS[BY_REG[(rep["reg"]["country"], rep["reg"]["num"])]][2]}}},
    "c": {"Query": {"fleet": lambda _, a, i: [{"__typename": "Ship", "id": s, "reg": {"country": SHIPS[s][0][0]}, "rating": SHIPS[s][3]} for s in SHIPS]},
          "Ship": {"__resolveReference": lambda rep, i: {"id": rep["id"], "rating": SHIPS[rep["id"]][3]}}},
}

MONOLITH_SDL = """
type Reg { country: String! num: Int! }
type Ship { id: ID! reg: Reg! name: String crew: Int rating: Int }
type Query { ships: [Ship] fleet: [Ship] }
"""


def m_ship(s):
    return {"id": s, "reg": reg(s), "name": SHIPS[s][1], "crew": SHIPS[s][2], "rating": SHIPS[s][3]}


MONOLITH = {"Query": {"ships": lambda _, a, i: [m_ship(s) for s in SHIPS], "fleet": lambda _, a, i: [m_ship(s) for s in SHIPS]}}

TESTS = [
    ("b's field from the partly provided path (c -> a by id -> b by reg)", "{ fleet { crew } }"),
    ("the provided part itself", "{ fleet { reg { country } rating } }"),
    ("the whole key on that path", "{ fleet { reg { country num } name } }"),
    ("b's field from a's root field", "{ ships { crew rating } }"),
]
