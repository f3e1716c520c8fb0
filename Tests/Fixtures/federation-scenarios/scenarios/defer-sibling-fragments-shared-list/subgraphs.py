"""Found by a differential probe (round 7, by @defer fuzzing of the new world y3). Two sibling deferred fragments at one path
select the same list field of entities with different subfields:
`cell { ... @defer(label: "A") { next { tag } } ... @defer(label: "B") { next { weight } } }`.
`next` and `weight: Int!` are b's, `tag` is a's; one item's weight is null. Each fragment has its own
fetches (b: `next{__typename id}` then a: `tag` for A; b: `next{weight}` for B). When B's answer is
merged AFTER A's fetches are done, B's null for the failing item lands in the one shared response tree,
and A's entry, written afterwards, shows it: A is `{"next": [null, {"tag": "y"}]}`, an item nulled by
B's error, with no error in A. Per the 2022-08-24 incremental format each fragment is its own
null-propagation boundary: A must be `{"next": [{"tag": "x"}, {"tag": "y"}]}`; B is
`{"next": [null, {"weight": 2}]}` with the error (B's own entry is right).
It is timing-dependent: b answers B's fetch (the one that selects `weight`) 0.15 s late here so that it
is always merged last; without the delay about half of the runs fail (the round-5 build s38c as well).
In the world y3 (where it was found, `cell(x:0,y:0) { ... @defer(label:"A") { neighbours { tag } }
... @defer(label:"B") { neighbours { weight } } }`, `neighbours: [[Cell]]`), A's entry also carried
B's `weight` values, a field A never selected: `{"neighbours": [[null], [null, {"tag": "c", "weight": 2}]]}`.
Right today: no failing item (each entry has only its own fields), and one fragment alone.
"""

import time
from graphql import print_ast
CELLS = {"c0": ("root", 1, ["c1", "c2"]), "c1": ("x", None, []), "c2": ("y", 2, []), "c3": ("z", 3, ["c2"])}

RESOLVERS = {
    "a": {"Query": {"cell": lambda _, a, i: {"__typename": "Cell", "id": a["id"], "tag": CELLS[a["id"]][0]}},
          "Cell": {"__resolveReference": lambda rep, i: {"id": rep["id"], "tag": CELLS[rep["id"]][0]}}},
    "b": {"Cell": {"__resolveReference": lambda rep, i: b_ref(rep, i)}},
}


def b_ref(rep, info):
    # B's fetch (the one with `weight`) is answered 0.15 s late, so A's fetches are merged first
    if "weight" in print_ast(info.operation):
        time.sleep(0.15)
    return b_cell(rep["id"])


def b_cell(c):
    t, w, nx = CELLS[c]
    return {"__typename": "Cell", "id": c, "weight": w, "next": lambda a, i: [b_cell(x) for x in nx],
            "grid": lambda a, i: [[b_cell(x) for x in nx]]}


MONOLITH_SDL = """
type Query { cell(id: ID!): Cell }
type Cell { id: ID! tag: String weight: Int! next: [Cell] grid: [[Cell]] }
"""


def m_cell(c):
    t, w, nx = CELLS[c]
    return {"id": c, "tag": t, "weight": w, "next": lambda a, i: [m_cell(x) for x in nx], "grid": lambda a, i: [[m_cell(x) for x in nx]]}


MONOLITH = {"Query": {"cell": lambda _, a, i: m_cell(a["id"])}}
