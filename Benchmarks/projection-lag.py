#!/usr/bin/env python3
"""Projection lag under append load, through the gateway (issue 16, item 6).

While `--appenders` clients append events as fast as they can (`--batch` events per request,
tenant globex), a probe appends one event at a time (tenant acme) and polls
`projections { position }` until every projection has applied the probe's position. Two figures per
probe, both ending at the answer of the first poll that sees the event applied:
- from sending the append: an upper bound (it also holds the append's own wait behind the load:
  appends go one at a time, and the probe's waits its turn behind up to `--appenders` others);
- from the append's answer: the estimate of the lag from commit to effect (each end is late by
  about one round trip: the answer comes after the commit, the poll's answer after the effect).
Prints p50/p95/p99/max and the append rate meanwhile.

The appenders run in a process of their own (their own event loop), so that the probe's timings
are not queued behind the load generator's Python work (with both in one event loop, a probe's
poll waited for up to 20 appenders' JSON to be built and parsed first). `--one-process` keeps the
old arrangement for comparison.

    python3 Benchmarks/projection-lag.py http://127.0.0.1:4400/graphql --seconds 20
"""
import argparse, asyncio, json, multiprocessing, time, uuid

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
    while not stop():
        await post(client, url, "globex", APPEND, {"s": f"lag-load-{uuid.uuid4()}", "e": events})
        with counter.get_lock():
            counter.value += batch


async def load(url, appenders, batch, stop, counter):
    limits = httpx.Limits(max_connections=appenders + 1, max_keepalive_connections=appenders + 1)
    async with httpx.AsyncClient(limits=limits, timeout=60) as client:
        await asyncio.gather(*(appender(client, url, batch, stop.is_set, counter) for _ in range(appenders)))


def load_process(url, appenders, batch, stop, counter):
    asyncio.run(load(url, appenders, batch, stop, counter))


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
    ap.add_argument("--one-process", action="store_true", help="appenders and probe in one event loop (the old harness)")
    a = ap.parse_args()
    lags = []
    if a.one_process:
        counter = multiprocessing.Value("q", 0)
        done = asyncio.Event()
        limits = httpx.Limits(max_connections=a.appenders + 4, max_keepalive_connections=a.appenders + 4)
        async with httpx.AsyncClient(limits=limits, timeout=60) as client:
            tasks = [asyncio.create_task(appender(client, a.url, a.batch, done.is_set, counter)) for _ in range(a.appenders)]
            await asyncio.sleep(1)  # the load is running before the first probe
            counter.value = 0
            started = time.perf_counter()
            probe_task = asyncio.create_task(probe(client, a.url, done, lags, a.poll_ms))
            await asyncio.sleep(a.seconds)
            done.set()
            elapsed = time.perf_counter() - started
            await asyncio.gather(probe_task, *tasks)
    else:
        counter, stopping = multiprocessing.Value("q", 0), multiprocessing.Event()
        loader = multiprocessing.Process(target=load_process, args=(a.url, a.appenders, a.batch, stopping, counter))
        loader.start()
        try:
            await asyncio.sleep(1)  # the load is running before the first probe
            with counter.get_lock():
                counter.value = 0
            started = time.perf_counter()
            done = asyncio.Event()
            async with httpx.AsyncClient(timeout=60) as client:
                probe_task = asyncio.create_task(probe(client, a.url, done, lags, a.poll_ms))
                await asyncio.sleep(a.seconds)
                done.set()
                elapsed = time.perf_counter() - started
                appended = counter.value
                await probe_task
        finally:
            stopping.set()
            loader.join(60)
            if loader.is_alive():
                loader.kill()
        counter = multiprocessing.Value("q", appended)
    print(f"- {counter.value / elapsed:,.0f} events/s appended by {a.appenders} clients ({a.batch} per request) meanwhile")
    for i, label in ((0, "from sending the append (upper bound)"), (1, "from its answer (estimate)")):
        xs = sorted(l[i] for l in lags)
        q = lambda p: xs[min(len(xs) - 1, int(p * len(xs)))]
        print(f"- projection lag {label}, {len(xs)} probes: p50 {q(0.5):.1f} ms, p95 {q(0.95):.1f} ms, "
              f"p99 {q(0.99):.1f} ms, max {xs[-1]:.1f} ms")


asyncio.run(main())
