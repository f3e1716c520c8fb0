"""A union whose membership differs per subgraph: guide has `Programme = Film | Series | Marathon`
(Marathon a value type only guide knows, whose `parts` nest the union again in a list), live has
`Programme = Film | LiveEvent` (it knows Series as an entity, but not as a member) and a list of
lists of it; studio resolves Film and Series details. `Channel.nowShowing` is @shareable, typed
`Film` in guide and `Programme` in live. Checks that every subgraph query keeps only the type
conditions that subgraph's own union (or field type) admits (graphql-core refuses the others),
that `__typename` alone costs no entity fetch, that entity fields of members at any list depth
are fetched with one _entities request per subgraph and merged back into the right items, and
that the shareable field is asked of the subgraph the plan is already in (guide raises for a
channel showing a live event: it cannot describe one)."""

FILMS = {
    "F1": {"title": "Night Ferry", "director": "Ines Alvar", "runtime": 104},
    "F2": {"title": "Paper Moons", "director": "Tomas Reyes", "runtime": 92},
    "F3": {"title": "The Quiet Orchard", "director": "Mei Lin", "runtime": 118},
}
SERIES = {
    "S1": {"title": "Harbour Watch", "seasons": 3, "showrunner": "Ada Quell", "liveAudience": 840000},
    "S2": {"title": "Tin Kitchen", "seasons": 5, "showrunner": "Bo Marsh", "liveAudience": 1530000},
}
EVENTS = {
    "E1": {"title": "Cup Final", "venue": "Riverside Arena"},
    "E2": {"title": "Jazz on the Pier", "venue": "South Pier"},
}
MARATHONS = {
    "M1": {"title": "Space Saturday", "parts": ["F2", "S2", "M2"]},
    "M2": {"title": "Short Break", "parts": ["F3"]},
}
LINEUP = ["F1", "S1", "M1", "F2"]
WEEKEND = [["F1", "E1"], ["E2", "F3"]]
CHANNELS = {
    "C1": {"name": "Cinema One", "showing": "F1", "viewers": 3100},
    "C2": {"name": "Arthouse", "showing": "F3", "viewers": 5200},
    "C3": {"name": "Sports+", "showing": "E1", "viewers": 91000},
}
GUIDE_CHANNELS = ["C1", "C2"]
TRENDING = ["C2", "C3"]


def guide_item(i):
    if i in FILMS:
        return {"__typename": "Film", "id": i, "title": FILMS[i]["title"]}
    if i in SERIES:
        return {"__typename": "Series", "id": i, "title": SERIES[i]["title"]}
    m = MARATHONS[i]
    return {"__typename": "Marathon", "title": m["title"], "parts": [guide_item(p) for p in m["parts"]]}


def live_item(i):
    if i in FILMS:
        return {"__typename": "Film", "id": i, "title": FILMS[i]["title"]}
    if i in EVENTS:
        return {"__typename": "LiveEvent", "id": i, **EVENTS[i]}
    raise Exception(f"live cannot list {i}")


def needs_id(type_name, table, build):
    def resolve(rep, info):
        if rep.get("__typename") != type_name or "id" not in rep:
            raise Exception(f"bad {type_name} representation {rep}")
        if rep["id"] not in table:
            return None
        return build(rep["id"])
    return resolve


def guide_now_showing(channel, args, info):
    show = CHANNELS[channel["id"]]["showing"]
    if show not in FILMS:
        raise Exception(f"guide has no film on {channel['id']}: it cannot describe a live event")
    return guide_item(show)


RESOLVERS = {
    "guide": {
        "Query": {
            "lineup": lambda parent, args, info: [guide_item(i) for i in LINEUP],
            "channels": lambda parent, args, info: [{"id": c, "name": CHANNELS[c]["name"]} for c in GUIDE_CHANNELS],
        },
        "Film": {"__resolveReference": needs_id("Film", FILMS, guide_item)},
        "Series": {"__resolveReference": needs_id("Series", SERIES, guide_item)},
        "Channel": {
            "__resolveReference": needs_id("Channel", CHANNELS, lambda i: {"id": i, "name": CHANNELS[i]["name"]}),
            "nowShowing": guide_now_showing,
        },
    },
    "live": {
        "Query": {
            "weekend": lambda parent, args, info: [[live_item(i) for i in row] for row in WEEKEND],
            "trending": lambda parent, args, info: [
                {"id": c, "viewers": CHANNELS[c]["viewers"], "nowShowing": live_item(CHANNELS[c]["showing"])} for c in TRENDING],
        },
        "Film": {"__resolveReference": needs_id("Film", FILMS, live_item)},
        "LiveEvent": {"__resolveReference": needs_id("LiveEvent", EVENTS, live_item)},
        "Series": {"__resolveReference": needs_id("Series", SERIES, lambda i: {"id": i, "liveAudience": SERIES[i]["liveAudience"]})},
        "Channel": {"__resolveReference": needs_id("Channel", CHANNELS, lambda i: {
            "id": i, "viewers": CHANNELS[i]["viewers"], "nowShowing": live_item(CHANNELS[i]["showing"])})},
    },
    "studio": {
        "Film": {"__resolveReference": needs_id("Film", FILMS, lambda i: {
            "id": i, "director": FILMS[i]["director"], "runtime": FILMS[i]["runtime"]})},
        "Series": {"__resolveReference": needs_id("Series", SERIES, lambda i: {
            "id": i, "seasons": SERIES[i]["seasons"], "showrunner": SERIES[i]["showrunner"]})},
    },
}
