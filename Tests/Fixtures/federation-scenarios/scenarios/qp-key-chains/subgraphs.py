"""Apollo 'works with key chains' and 'pick keys that minimize fetches' (compound key of two
nested entity keys) on one graph."""
CUR = {"FR": {"name": "euro", "sign": "EUR"}, "US": {"name": "dollar", "sign": "$"}, "JP": {"name": "yen", "sign": "Y"}}


def country(iso):
    return {"iso": iso, "currency": dict(CUR[iso])}


def transfer_ref(rep, info):
    f, t = rep["from"]["iso"], rep["to"]["iso"]
    return {"id": f + ">" + t, "from": country(f), "to": country(t)}


RESOLVERS = {
    "s1": {"Query": {"t": lambda p, a, i: {"id1": "one"},
                     "transfers": lambda p, a, i: [{"from": {"iso": "FR"}, "to": {"iso": "US"}}, {"from": {"iso": "JP"}, "to": {"iso": "FR"}}]}},
    "s2": {"T": {"__resolveReference": lambda rep, info: {"id1": "one", "id2": "two"}},
           "Transfer": {"__resolveReference": transfer_ref},
           "Country": {"__resolveReference": lambda rep, info: country(rep["iso"])}},
    "s3": {"T": {"__resolveReference": lambda rep, info: {"id2": rep["id2"], "x": 1, "y": 2} if rep["id2"] == "two" else None}},
}
