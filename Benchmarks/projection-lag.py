#!/usr/bin/env python3
"""Projection lag under append load, through the gateway (issue 16, item 6).

While `--appenders` clients append events as fast as they can (`--batch` events per request,
tenant globex), a probe appends one event at a time (tenant acme) and polls
`projections { position }` until every projection has applied the probe's position. The lag of a
probe is the time from sending its append (so the commit is inside the interval: an upper bound)
to the first poll that sees it applied. Prints p50/p95/p99/max and the append rate meanwhile.

    python3 Benchmarks/projection-lag.py http://127.0.0.1:4400/graphql --seconds 20
"""
import argparse, asyncio, json, time, uuid

import httpx

APPEND = 'mutation($s: String!, $e: [NewEvent!]!) { appendEvents(streamId: $s, expectedVersion: 0, events: $e) { lastPosition } }'
POSITIONS = '{ projections { name position } }'


async def post(client, url, tenant, query, variables=None):
    r = await client.post(url, json={"query": query, "variables": variables or {}},
                          headers={"x-tenant": tenant, "content-type": "application/json"})
    body = r.json()
    if "errors" in body:
        raise RuntimeError(body["errors"])
    return body["data"]


async def appender(client, url, batch, stop, counter):
    events = [{"type": "Bench", "data": json.dumps({"i": i})} for i in range(batch)]
    while not stop.is_set():
        await post(client, url, "globex", APPEND, {"s": f"lag-load-{uuid.uuid4()}", "e": events})
        counter[0] += batch


async def probe(client, url, stop, lags, poll_ms):
    while not stop.is_set():
        started = time.perf_counter()
        data = await post(client, url, "acme", APPEND, {"s": f"lag-probe-{uuid.uuid4()}", "e": [{"type": "Bench", "data": "{}"}]})
        answered = time.perf_counter()
        position = data["appendEvents"]["lastPosition"]
        while True:
            data = await post(client, url, "acme", POSITIONS)
            if all(p["position"] >= position for p in data["projections"]):
                now = time.perf_counter()
                lags.append(((now - started) * 1000, (now - answered) * 1000))
                break
            if time.perf_counter() - started > 30:
                lags.append((float("inf"), float("inf")))
                break
            await asyncio.sleep(poll_ms / 1000)
        await asyncio.sleep(0.02)


async def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("url")
    ap.add_argument("--seconds", type=float, default=20)
    ap.add_argument("--appenders", type=int, default=20)
    ap.add_argument("--batch", type=int, default=100)
    ap.add_argument("--poll-ms", type=float, default=1)
    a = ap.parse_args()
    limits = httpx.Limits(max_connections=a.appenders + 4, max_keepalive_connections=a.appenders + 4)
    async with httpx.AsyncClient(limits=limits, timeout=60) as client:
        stop, lags, counter = asyncio.Event(), [], [0]
        tasks = [asyncio.create_task(appender(client, a.url, a.batch, stop, counter)) for _ in range(a.appenders)]
        await asyncio.sleep(1)  # the load is running before the first probe
        counter[0] = 0
        started = time.perf_counter()
        probe_task = asyncio.create_task(probe(client, a.url, stop, lags, a.poll_ms))
        await asyncio.sleep(a.seconds)
        stop.set()
        elapsed = time.perf_counter() - started
        await asyncio.gather(probe_task, *tasks)
    print(f"- {counter[0] / elapsed:,.0f} events/s appended by {a.appenders} clients ({a.batch} per request) meanwhile")
    for i, label in ((0, "from sending the append (upper bound)"), (1, "from its answer (lower bound)")):
        xs = sorted(l[i] for l in lags)
        q = lambda p: xs[min(len(xs) - 1, int(p * len(xs)))]
        print(f"- projection lag {label}, {len(xs)} probes: p50 {q(0.5):.1f} ms, p95 {q(0.95):.1f} ms, "
              f"p99 {q(0.99):.1f} ms, max {xs[-1]:.1f} ms")


asyncio.run(main())
