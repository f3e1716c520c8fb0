"""A @requires chain across three subgraphs: labels needs postage, which pricing derives from
the weight catalog knows."""

PARCELS = [{"code": "P1", "weightGrams": 250}, {"code": "P2", "weightGrams": 1200}, {"code": "P3", "weightGrams": 80}]


def find(code):
    return next((p for p in PARCELS if p["code"] == code), None)


def postage(rep, info):
    if "weightGrams" not in rep:
        raise Exception("postage needs weightGrams")
    return {"code": rep["code"], "postageCents": 100 + rep["weightGrams"] // 10}


def label(rep, info):
    if "postageCents" not in rep or "weightGrams" not in rep:
        raise Exception("label needs postageCents and weightGrams")
    return {"code": rep["code"], "label": f"{rep['code']}: {rep['weightGrams']} g, {rep['postageCents']} c"}


RESOLVERS = {
    "catalog": {
        "Query": {"parcels": lambda parent, args, info: [dict(p) for p in PARCELS]},
        "Parcel": {"__resolveReference": lambda rep, info: find(rep["code"])},
    },
    "pricing": {"Parcel": {"__resolveReference": postage}},
    "labels": {"Parcel": {"__resolveReference": label}},
}
