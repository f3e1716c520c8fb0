"""Live events and the task queue under load, against a running gateway on the demo database
(tenant acme through the `x-tenant` development header; rate limits off and
`subscriptions.max_per_tenant` raised in the gateway's configuration). Prints Markdown tables.

1. rss: the gateway's VmRSS before and after opening N idle subscriptions (--idle), per live
   subscription, measured once the gateway is idle again; and after closing them.
2. latency: N concurrent subscriptions (--subscribers), each on its own WebSocket by default
   (graphql-transport-ws: connection_init {"x-tenant": "acme"}, connection_ack, then
   `subscription { events(types: ["BenchTick"]) { position data } }`), while BenchTick events
   are appended at R events/s (--rates) for --duration s: appendEvents over HTTP, ceil(R/100)
   events a request at 100 requests/s, each event's data {"t": <sender's time_ns()>}; open loop
   over up to --max-streams streams "bench-<run>-<i>", each appended to sequentially with
   expectedVersion tracked (a stream with no append in flight takes the next request). Before
   each run, warm-up ticks until every subscription has received one (so each is in place in
   the feed). Latency of a (subscription, event) pair = time of receipt - t (one machine, one
   clock): p50/p99/max over all pairs. Every live subscription must receive every event
   committed in the run (counted from the streams' versions, so appends that timed out at the
   gateway but committed are expected too); what has not arrived --drain-timeout s after the
   last append (or after 15 s without progress) is reported missing, subscriptions ended by the
   gateway as ended.
3. claims: --claimers concurrent claimers (HTTP keep-alive; `claimTask(agentId, leaseSeconds:
   300) { id }`, the tenant's active agents from `agents(first: 50)` reused round-robin) over
   --tasks tasks submitted beforehand (submitTask, 20 aliases a request, priority 1000 so that
   they come before anything else queued); exactly --tasks claims are made. Then every bench
   task is completed (checked with task(id)), so nothing stays queued or leased.

    python3 Benchmarks/subscription-bench.py [--url http://127.0.0.1:4801] [--pid PID]
        [--parts rss,latency,claims] [--subscribers 1,1000,10000] [--rates 100,1000]
        [--duration 10] [--idle 1000,10000] [--tasks 5000] [--claimers 50]
        [--per-connection 1] [--workers 1] [--connect-concurrency 200]

The open-file limit is raised to the hard limit; N that do not fit are skipped with a note. The
subscriptions live in --workers processes with a minimal WebSocket client of their own (frames
parsed in place, each read's positions and timestamps found with one regular expression): with
`websockets` the client, not the gateway, would be the bottleneck much sooner. The gateway's
PID is found by its port when --pid is not given. Left behind, because the API cannot remove
them: the events (BenchTick, and the task transitions), the bench tasks (COMPLETED), and agents
made BUSY by a claim while they hold other ASSIGNED tasks (reported).
"""
import argparse
import array
import asyncio
import base64
import collections
import hashlib
import json
import math
import multiprocessing
import os
import re
import resource
import signal
import sys
import time
import urllib.parse

TENANT = "acme"
SUBSCRIPTION = 'subscription { events(types: ["BenchTick"]) { position data } }'
APPEND = ("mutation($s: String!, $v: Int!, $e: [NewEvent!]!) "
          "{ appendEvents(streamId: $s, expectedVersion: $v, events: $e) { toVersion firstPosition lastPosition } }")
CLAIM = 'mutation($a: ID!) { claimTask(agentId: $a, leaseSeconds: 300) { id } }'
# One `next` payload of the subscription: {"id":"1","type":"next","payload":{"data":{"events":
# {"position":123,"data":"{\"t\": 1732...}"}}}} (data is jsonb text: `{"t": N}`).
ENDED = re.compile(rb'"id":"(\d+)","type":"(?:error|complete)"')
NEXT = re.compile(rb'"id":"(\d+)","type":"next","payload":\{"data":\{"events":\{"position":(\d+),"data":"\{\\"t\\": (\d+)')
TICK = os.sysconf("SC_CLK_TCK")


# ---------------------------------------------------------------------------------------------
# Gateway process

def gateway_pid(port):
    """The PID of the process listening on 127.0.0.1:port (or any address), from /proc."""
    inodes = set()
    for table in ("/proc/net/tcp", "/proc/net/tcp6"):
        try:
            lines = open(table).read().splitlines()[1:]
        except OSError:
            continue
        for line in lines:
            f = line.split()
            if f[3] == "0A" and int(f[1].rsplit(":", 1)[1], 16) == port:
                inodes.add(f"socket:[{f[9]}]")
    for pid in filter(str.isdigit, os.listdir("/proc")):
        try:
            for fd in os.listdir(f"/proc/{pid}/fd"):
                if os.readlink(f"/proc/{pid}/fd/{fd}") in inodes:
                    return int(pid)
        except OSError:
            continue
    return None


def rss(pid, key="VmRSS:"):
    for line in open(f"/proc/{pid}/status"):
        if line.startswith(key):
            return int(line.split()[1]) * 1024
    return 0


def reset_peak(pid):
    """Resets VmHWM to the current RSS (when this process may)."""
    try:
        with open(f"/proc/{pid}/clear_refs", "w") as f:
            f.write("5")
    except OSError:
        pass


def cpu_seconds(pid):
    fields = open(f"/proc/{pid}/stat").read().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / TICK


def machine_cpu(since=None):
    """(busy, total) jiffies of all CPUs; with `since`, the busy fraction (of all cores) since."""
    f = [int(x) for x in open("/proc/stat").readline().split()[1:]]
    now = (sum(f) - f[3] - f[4], sum(f))
    if since is None:
        return now
    return (now[0] - since[0]) / max(1, now[1] - since[1])


def open_files_limit(pid):
    for line in open(f"/proc/{pid}/limits"):
        if line.startswith("Max open files"):
            return int(line.split()[3])
    return None


# ---------------------------------------------------------------------------------------------
# HTTP/1.1 with keep-alive (the appender, the claimers, metrics)

class Http:
    def __init__(self, host, port):
        self.host, self.port = host, port
        self.reader = self.writer = None

    async def request(self, method, path, body=b"", headers=()):
        for attempt in (0, 1):
            try:
                if self.writer is None:
                    self.reader, self.writer = await asyncio.open_connection(self.host, self.port)
                head = [f"{method} {path} HTTP/1.1", f"Host: {self.host}:{self.port}", f"Content-Length: {len(body)}"]
                head += [f"{k}: {v}" for k, v in headers]
                self.writer.write(("\r\n".join(head) + "\r\n\r\n").encode() + body)
                raw = await self.reader.readuntil(b"\r\n\r\n")
                lines = raw.decode("latin-1").split("\r\n")
                status = int(lines[0].split()[1])
                fields = {}
                for line in lines[1:]:
                    if ":" in line:
                        k, v = line.split(":", 1)
                        fields[k.strip().lower()] = v.strip()
                if fields.get("transfer-encoding", "").lower() == "chunked":
                    data = b""
                    while True:
                        size = int((await self.reader.readuntil(b"\r\n")).split(b";")[0], 16)
                        if size == 0:
                            await self.reader.readuntil(b"\r\n")  # no trailers from the gateway
                            break
                        data += (await self.reader.readexactly(size + 2))[:-2]
                else:
                    data = await self.reader.readexactly(int(fields.get("content-length", "0")))
                if fields.get("connection", "").lower() == "close":
                    self.close()
                return status, data
            except (ConnectionError, asyncio.IncompleteReadError):
                self.close()
                if attempt:
                    raise

    async def graphql(self, query, variables=None):
        body = json.dumps({"query": query, "variables": variables or {}}).encode()
        try:
            status, data = await asyncio.wait_for(
                self.request("POST", "/graphql", body, [("Content-Type", "application/json"), ("x-tenant", TENANT)]), 120)
        except asyncio.TimeoutError:
            self.close()
            return {"errors": [{"message": "no answer within 120 s (client side)", "extensions": {"code": "CLIENT_TIMEOUT"}}]}
        try:
            return json.loads(data)
        except ValueError:
            return {"errors": [{"message": f"HTTP {status}: {data[:200]!r}"}]}

    def close(self):
        if self.writer is not None:
            self.writer.close()
        self.reader = self.writer = None


async def subscriptions_active(host, port):
    http = Http(host, port)
    try:
        _, text = await http.request("GET", "/metrics")
    finally:
        http.close()
    m = re.search(rb"^switchyard_subscriptions_active ([0-9.e+]+)", text, re.M)
    return int(float(m[1])) if m else None


# ---------------------------------------------------------------------------------------------
# Subscribers: a worker process holds many WebSocket connections

def ws_frame(payload, opcode=1):
    """A client frame (masked, as RFC 6455 requires of clients)."""
    n = len(payload)
    if n < 126:
        head = bytes((0x80 | opcode, 0x80 | n))
    elif n < 65536:
        head = bytes((0x80 | opcode, 0x80 | 126)) + n.to_bytes(2, "big")
    else:
        head = bytes((0x80 | opcode, 0x80 | 127)) + n.to_bytes(8, "big")
    mask = os.urandom(4)
    if n == 0:
        return head + mask
    key = (mask * (n // 4 + 1))[:n]
    return head + mask + (int.from_bytes(payload, "big") ^ int.from_bytes(key, "big")).to_bytes(n, "big")


INIT = ws_frame(json.dumps({"type": "connection_init", "payload": {"x-tenant": TENANT}}).encode())


class Subscriber(asyncio.Protocol):
    """One WebSocket connection carrying `k` subscriptions (ids "1".."k"); subscription i of the
    worker is `base + id - 1`."""

    def __init__(self, worker, base, k):
        self.worker, self.base, self.k = worker, base, k
        self.generation = worker.generation  # (the worker's arrays are renewed by close_all)
        self.state = 0  # 0 upgrading, 1 waiting for connection_ack, 2 subscribed
        self.buf = b""
        self.ready = asyncio.get_running_loop().create_future()
        self.transport = None
        self.lost = asyncio.get_running_loop().create_future()
        self.close_code = None

    def connection_made(self, transport):
        self.transport = transport
        self.key = base64.b64encode(os.urandom(16))
        w = self.worker
        transport.write(b"GET /graphql HTTP/1.1\r\nHost: %s:%d\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
                        b"Sec-WebSocket-Key: %s\r\nSec-WebSocket-Version: 13\r\nSec-WebSocket-Protocol: graphql-transport-ws\r\n\r\n"
                        % (w.host.encode(), w.port, self.key))

    def fail(self, why):
        if not self.ready.done():
            self.ready.set_exception(RuntimeError(why))
        self.transport.close()

    def data_received(self, data):
        now = time.time_ns()
        if self.state == 0:
            self.buf += data
            end = self.buf.find(b"\r\n\r\n")
            if end < 0:
                return
            head, data, self.buf = self.buf[:end], self.buf[end + 4:], b""
            accept = base64.b64encode(hashlib.sha1(self.key + b"258EAFA5-E914-47DA-95CA-C5AB0DC85B11").digest())
            if not head.startswith(b"HTTP/1.1 101") or accept not in head:
                return self.fail("upgrade refused: " + head.split(b"\r\n", 1)[0].decode("latin-1"))
            self.state = 1
            self.transport.write(INIT)
            if not data:
                return
        buf = self.buf + data if self.buf else data
        n, i = len(buf), 0
        while n - i >= 2:
            length, h = buf[i + 1] & 0x7F, 2
            if length == 126:
                if n - i < 4:
                    break
                length, h = (buf[i + 2] << 8) | buf[i + 3], 4
            elif length == 127:
                if n - i < 10:
                    break
                length, h = int.from_bytes(buf[i + 2:i + 10], "big"), 10
            end = i + h + length
            if end > n:
                break
            op = buf[i] & 0x0F
            if op > 2:
                self.control(op, buf[i + h:end])
            i = end
        if i == 0:
            self.buf = buf
            return
        region, self.buf = (buf, b"") if i == n else (buf[:i], buf[i:])
        if self.state == 2:
            self.worker.received(self, region, now)
        elif self.state == 1:
            if b'"connection_ack"' not in region:
                return self.fail("no connection_ack: " + region[:200].decode("utf-8", "replace"))
            self.state = 2
            self.transport.write(b"".join(ws_frame(json.dumps({"id": str(j + 1), "type": "subscribe",
                                                               "payload": {"query": SUBSCRIPTION}}).encode()) for j in range(self.k)))
            self.ready.set_result(True)

    def control(self, op, payload):
        if op == 9:  # ping: pong with the same payload (the server pings every 30 s)
            self.transport.write(ws_frame(payload, 0xA))
        elif op == 8:
            self.close_code = int.from_bytes(payload[:2], "big") if len(payload) >= 2 else 1005
            self.worker.close_codes[f"{self.close_code} {payload[2:].decode('utf-8', 'replace')}".strip()] += 1
            self.worker.all_close_codes[f"{self.close_code} {payload[2:].decode('utf-8', 'replace')}".strip()] += 1
            self.transport.write(ws_frame(payload[:2], 8))
            self.transport.close()

    def connection_lost(self, exc):
        w = self.worker
        if self.generation == w.generation:
            w.dead[self.base - 1:self.base - 1 + self.k] = b"\1" * self.k
        if not self.ready.done():
            self.ready.set_exception(RuntimeError(f"connection lost before subscribing: {exc}"))
        if not self.lost.done():
            self.lost.set_result(True)


class Worker:
    def __init__(self, host, port, concurrency):
        self.host, self.port, self.concurrency = host, port, concurrency
        self.conns = []
        self.subs = 0
        self.counts = array.array("q")  # per subscription: events of the run received
        self.last = array.array("q")    # per subscription: last position received
        self.seen = bytearray()         # per subscription: any event received since `warm`
        self.dead = bytearray()         # per subscription: ended (error, complete, connection lost)
        self.running = False
        self.min_pos = 0
        self.lat = array.array("q")     # ns, every (subscription, event) of the run
        self.total = 0
        self.disorder = 0
        self.close_codes = collections.Counter()      # in the run
        self.all_close_codes = collections.Counter()  # since the connections were opened
        self.messages = collections.Counter()  # too slow, errors, completes
        self.samples = []
        self.generation = 0

    def received(self, conn, region, now):
        matches = NEXT.findall(region)
        base = conn.base - 2  # subscription index = base + id
        if self.running:
            lat, counts, last, lo = self.lat, self.counts, self.last, self.min_pos
            for sid, pos, t in matches:
                p = int(pos)
                if p < lo:
                    continue
                s = base + int(sid)
                counts[s] += 1
                if p <= last[s]:
                    self.disorder += 1
                last[s] = p
                lat.append(now - int(t))
                self.total += 1
        else:
            for sid, _, _ in matches:
                self.seen[base + int(sid)] = 1
        if len(region) > 200 * len(matches) or b'"errors"' in region or b'"type":"complete"' in region or b'"type":"error"' in region:
            for key, needle in (("SUBSCRIBER_TOO_SLOW", b"SUBSCRIBER_TOO_SLOW"), ("error", b'"type":"error"'),
                                ("complete", b'"type":"complete"'), ("errors in next", b'"errors"')):
                c = region.count(needle)
                if c:
                    self.messages[key] += c
                    if len(self.samples) < 5:
                        j = region.find(needle)
                        self.samples.append(region[max(0, j - 100):j + 300].decode("utf-8", "replace"))
            for sid in ENDED.findall(region):
                self.dead[base + int(sid)] = 1

    async def open(self, n, k):
        loop = asyncio.get_running_loop()
        sem = asyncio.Semaphore(self.concurrency)
        failures = collections.Counter()

        async def one(base, kk):
            async with sem:
                try:
                    _, p = await asyncio.wait_for(loop.create_connection(lambda: Subscriber(self, base, kk), self.host, self.port), 30)
                    self.conns.append(p)
                    await asyncio.wait_for(p.ready, 30)
                except Exception as e:
                    failures[f"{type(e).__name__}: {e}"[:160]] += 1
                    self.dead[base - 1:base - 1 + kk] = b"\1" * kk

        jobs, base = [], self.subs + 1
        while n > 0:
            kk = min(k, n)
            jobs.append(one(base, kk))
            base, n = base + kk, n - kk
        if not self.subs:
            self.messages.clear()
            self.samples = []
        grow = base - 1 - self.subs
        self.counts.extend([0] * grow)
        self.last.extend([0] * grow)
        self.seen.extend(b"\0" * grow)
        self.dead.extend(b"\0" * grow)
        self.subs = base - 1
        await asyncio.gather(*jobs)
        return {"subscriptions": self.subs - sum(self.dead), "failures": dict(failures)}

    def status(self):
        live = self.subs - sum(self.dead)
        seen = sum(1 for s, d in zip(self.seen, self.dead) if s and not d)
        return {"subscriptions": live, "seen": seen, "total": self.total, "connections": sum(1 for c in self.conns if not c.lost.done()),
                "lost": sum(1 for c in self.conns if c.lost.done()), "closes": dict(self.all_close_codes),
                "messages": dict(self.messages), "samples": self.samples[:3]}

    def start(self, min_pos):
        self.running, self.min_pos = True, min_pos
        self.lat = array.array("q")
        self.counts = array.array("q", bytes(8 * self.subs))
        self.last = array.array("q", bytes(8 * self.subs))
        self.total = self.disorder = 0
        self.messages.clear()
        self.close_codes.clear()
        self.samples = []
        self.cpu0 = time.process_time()
        self.dead_at_start = bytes(self.dead)  # only the subscriptions live at the start count

    def stop(self):
        self.running = False
        ended = sum(1 for d, a in zip(self.dead, self.dead_at_start) if d and not a)
        counts = array.array("q", (c for c, a in zip(self.counts, self.dead_at_start) if not a))
        return {"lat": self.lat.tobytes(), "counts": counts.tobytes(), "ended": ended, "disorder": self.disorder,
                "messages": dict(self.messages), "close_codes": dict(self.close_codes), "samples": self.samples,
                "cpu": time.process_time() - self.cpu0}

    async def close_all(self):
        conns = [c for c in self.conns if not c.lost.done()]
        for c in conns:
            c.transport.write(ws_frame((1000).to_bytes(2, "big"), 8))
        if conns:
            await asyncio.wait([c.lost for c in conns], timeout=10)
        for c in conns:
            if not c.lost.done():
                c.transport.abort()
        self.conns, self.subs = [], 0
        self.generation += 1
        self.all_close_codes = collections.Counter()
        self.counts, self.last, self.seen, self.dead = array.array("q"), array.array("q"), bytearray(), bytearray()
        return len(conns)


def worker_main(pipe, host, port, concurrency):
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # the coordinator ends the run

    async def serve():
        loop = asyncio.get_running_loop()
        inbox = asyncio.Queue()

        def readable():
            try:
                inbox.put_nowait(pipe.recv())
            except EOFError:
                loop.remove_reader(pipe.fileno())
                inbox.put_nowait(("exit",))

        loop.add_reader(pipe.fileno(), readable)
        w = Worker(host, port, concurrency)
        while True:
            cmd, *args = await inbox.get()
            if cmd == "exit":
                await w.close_all()
                pipe.send(True)
                return
            if cmd == "open":
                reply = await w.open(*args)
            elif cmd == "status":
                reply = w.status()
            elif cmd == "warm":
                w.seen = bytearray(w.subs)
                reply = True
            elif cmd == "start":
                w.start(*args)
                reply = True
            elif cmd == "stop":
                reply = w.stop()
            elif cmd == "close":
                reply = await w.close_all()
            pipe.send(reply)

    asyncio.run(serve())


class WorkerHandle:
    def __init__(self, ctx, host, port, concurrency):
        self.pipe, child = ctx.Pipe()
        self.proc = ctx.Process(target=worker_main, args=(child, host, port, concurrency), daemon=True)
        self.proc.start()
        child.close()
        self.lock = asyncio.Lock()
        self.future = None

    async def call(self, *msg):
        async with self.lock:
            loop = asyncio.get_running_loop()
            self.future = loop.create_future()

            def readable():
                loop.remove_reader(self.pipe.fileno())
                try:
                    self.future.set_result(self.pipe.recv())
                except EOFError:
                    self.future.set_exception(RuntimeError("a subscriber worker died"))

            loop.add_reader(self.pipe.fileno(), readable)
            self.pipe.send(msg)
            return await self.future


class Pool:
    """The subscriber workers; subscribers are split evenly."""

    def __init__(self, workers):
        self.workers = workers

    async def each(self, *msg):
        return await asyncio.gather(*(w.call(*msg) for w in self.workers))

    async def open(self, n, k):
        parts = [n // len(self.workers) + (1 if i < n % len(self.workers) else 0) for i in range(len(self.workers))]
        replies = await asyncio.gather(*(w.call("open", p, k) for w, p in zip(self.workers, parts) if p))
        failures = collections.Counter()
        for r in replies:
            failures.update(r["failures"])
        return sum(r["subscriptions"] for r in replies), dict(failures)

    async def status(self):
        replies = await self.each("status")
        out = {k: sum(r[k] for r in replies) for k in replies[0] if k not in ("closes", "messages", "samples")}
        for k in ("closes", "messages"):
            out[k] = dict(sum((collections.Counter(r[k]) for r in replies), collections.Counter()))
        out["samples"] = sum((r["samples"] for r in replies), [])[:3]
        return out


# ---------------------------------------------------------------------------------------------
# Measurements

def percentile(sorted_values, p):
    if not sorted_values:
        return float("nan")
    return sorted_values[min(len(sorted_values) - 1, max(0, math.ceil(p / 100 * len(sorted_values)) - 1))]


class Appender:
    """appendEvents on one stream, expectedVersion tracked."""

    def __init__(self, host, port, stream):
        self.http = Http(host, port)
        self.stream, self.version = stream, 0
        self.errors = collections.Counter()

    async def append(self, events):
        d = await self.http.graphql(APPEND, {"s": self.stream, "v": self.version, "e": events})
        r = (d.get("data") or {}).get("appendEvents")
        if r:
            self.version = r["toVersion"]
            return r
        err = (d.get("errors") or [{}])[0]
        self.errors[f'{err.get("extensions", {}).get("code")}: {err.get("message", "?")[:100]}'] += 1
        current = err.get("extensions", {}).get("currentVersion")
        if current is not None:
            self.version = current
        return None

    async def tick(self, warm=False):
        data = '{"t": %d, "w": 1}' % time.time_ns() if warm else '{"t": %d}' % time.time_ns()
        return await self.append([{"type": "BenchTick", "data": data}])


async def committed(host, port, streams):
    """Events in each stream now (an append that timed out at the gateway may have committed)."""
    http, total = Http(host, port), 0
    try:
        for i in range(0, len(streams), 20):
            batch = streams[i:i + 20]
            d = await http.graphql("{ " + " ".join(f's{j}: stream(streamId: "{a.stream}") {{ version }}' for j, a in enumerate(batch)) + " }")
            total += sum((v or {}).get("version", 0) for v in (d.get("data") or {}).values())
    finally:
        http.close()
    return total


async def settle(host, port, pid, baseline=0, timeout=180):
    """Waits until the gateway has no more subscriptions than `baseline` and is idle (under 5%
    of a core over a second), so that a run does not pay for the previous one's backlog."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        c0 = cpu_seconds(pid)
        await asyncio.sleep(1)
        busy = cpu_seconds(pid) - c0
        active = await subscriptions_active(host, port)
        if busy < 0.05 and (active is None or active <= baseline):
            return True
    return False


async def warm_up(pool, appender, expected, timeout=120):
    """Appends a tick every second until every open subscription has received one (so each is
    registered with the feed); returns the last position appended."""
    await pool.each("warm")
    deadline, last = time.monotonic() + timeout, 0
    while time.monotonic() < deadline:
        r = await appender.tick(warm=True)
        if r:
            last = r["lastPosition"]
        for _ in range(10):
            await asyncio.sleep(0.1)
            s = await pool.status()
            if s["seen"] >= s["subscriptions"] and s["subscriptions"] >= expected:
                return last, s
    return last, await pool.status()


async def latency_run(args, pool, host, port, pid, n, rate, tag):
    per_request = max(1, math.ceil(rate / 100))  # 100 requests/s
    interval = per_request / rate
    appenders = []
    warm = Appender(host, port, f"bench-{tag}-warm")
    try:
        last_warm, s = await warm_up(pool, warm, n)
        if s["seen"] < n:
            print(f"  note: only {s['seen']} of {n} subscriptions received a warm-up event", file=sys.stderr)
        subscribed = s["subscriptions"]
        await pool.each("start", last_warm + 1)
        rss0 = rss(pid)
        reset_peak(pid)
        cpu0, wall0, machine0 = cpu_seconds(pid), time.monotonic(), machine_cpu()
        loop = asyncio.get_running_loop()
        start, sent, rtts = loop.time(), [0], []
        # Open loop: a request every `interval` on a stream with no append in flight (each
        # stream's appends are sequential, expectedVersion tracked); a new stream when all are
        # busy, up to --max-streams, then the schedule slips. Appending ends after `duration`.
        free, freed, inflight = [], asyncio.Event(), set()

        async def send(appender, events):
            t0 = time.perf_counter()
            if await appender.append(events):
                sent[0] += per_request
            rtts.append(time.perf_counter() - t0)
            free.append(appender)
            freed.set()

        i = 0
        while True:
            target = start + i * interval
            if target - start >= args.duration or loop.time() - start >= args.duration:
                break
            if target > loop.time():
                await asyncio.sleep(target - loop.time())
            while not free:
                if len(appenders) < args.max_streams:
                    appenders.append(Appender(host, port, f"bench-{tag}-{len(appenders)}"))
                    free.append(appenders[-1])
                else:
                    freed.clear()
                    await freed.wait()
            events = [{"type": "BenchTick", "data": '{"t": %d}' % time.time_ns()} for _ in range(per_request)]
            task = asyncio.ensure_future(send(free.pop(), events))
            inflight.add(task)
            task.add_done_callback(inflight.discard)
            i += 1
        if inflight:
            await asyncio.gather(*inflight)
        append_wall = loop.time() - start
        acknowledged = sent[0]
        sent = await committed(host, port, appenders)
        # Wait for delivery: everything, or no progress for 15 s, or --drain-timeout.
        progress, since, cutoff = -1, time.monotonic(), time.monotonic() + args.drain_timeout
        while time.monotonic() < cutoff:
            st = await pool.status()
            if st["total"] >= sent * subscribed:
                since = time.monotonic()
                break
            if st["total"] != progress:
                progress, since = st["total"], time.monotonic()
            elif time.monotonic() - since > 15:
                break
            await asyncio.sleep(0.1)
            if time.monotonic() - since > 2:  # appends that timed out may commit late
                sent = await committed(host, port, appenders)
        sent = await committed(host, port, appenders)
        drain = since - wall0 - append_wall  # until the last progress seen
        gw_cpu = (cpu_seconds(pid) - cpu0) / (time.monotonic() - wall0)
        machine = machine_cpu(machine0)
        peak = rss(pid, "VmHWM:")
        replies = await pool.each("stop")
    finally:
        for a in appenders + [warm]:
            a.http.close()
    lat = array.array("q")
    counts = array.array("q")
    ended = 0
    messages, codes, samples, disorder, client_cpu = collections.Counter(), collections.Counter(), [], 0, 0.0
    for r in replies:
        lat.frombytes(r["lat"])
        counts.frombytes(r["counts"])
        ended += r["ended"]
        messages.update(r["messages"])
        codes.update(r["close_codes"])
        samples += r["samples"]
        disorder += r["disorder"]
        client_cpu += r["cpu"]
    values = sorted(lat)
    missing_subs = sum(1 for c in counts if c < sent)
    rtts.sort()
    return {
        "n": n, "subscribed": subscribed, "rate": rate, "per_request": per_request, "sent": sent, "acknowledged": acknowledged,
        "throughput": len(values) / max(1e-9, append_wall + drain),
        "achieved": sent / append_wall, "expected": sent * len(counts), "delivered": len(values),
        "missing": sum(max(0, sent - c) for c in counts), "missing_subs": missing_subs,
        "extra": sum(max(0, c - sent) for c in counts), "ended": ended, "disorder": disorder,
        "p50": percentile(values, 50) / 1e6, "p99": percentile(values, 99) / 1e6, "max": (values[-1] / 1e6 if values else float("nan")),
        "append_p50": percentile(rtts, 50) * 1e3, "append_p99": percentile(rtts, 99) * 1e3,
        "gw_cpu": gw_cpu, "machine": machine, "rss0": rss0, "peak": peak, "streams": len(appenders), "client_cpu": client_cpu / (time.monotonic() - wall0), "drain": drain,
        "append_errors": dict(sum((a.errors for a in appenders), collections.Counter())), "messages": dict(messages), "close_codes": dict(codes), "samples": samples[:3],
    }


def print_latency(rows):
    print("\n### Event-to-client latency\n")
    print("| subscribers | events/s (a request) | sent/s | deliveries expected | delivered | missing (subscribers) | ended | p50 ms | p99 ms | max ms | deliveries/s | append RTT p50/p99 ms (streams) | gateway CPU | client CPU | machine busy | drain s | gateway RSS → peak MB |")
    print("|--:|--:|--:|--:|--:|--:|--:|--:|--:|--:|--:|--:|--:|--:|--:|--:|--:|")
    for r in rows:
        print(f"| {r['n']:,} | {r['rate']:,} ({r['per_request']}) | {r['achieved']:,.0f} | {r['expected']:,} | {r['delivered']:,} | "
              f"{r['missing']:,} ({r['missing_subs']:,}) | {r['ended']:,} | {r['p50']:.1f} | {r['p99']:.1f} | {r['max']:.1f} | {r['throughput']:,.0f} | "
              f"{r['append_p50']:.1f} / {r['append_p99']:.1f} ({r['streams']}) | {r['gw_cpu'] * 100:.0f}% | {r['client_cpu'] * 100:.0f}% | "
              f"{r['machine'] * 100:.0f}% | {r['drain']:.1f} | {r['rss0'] / 2**20:,.0f} → {r['peak'] / 2**20:,.0f} |")
    for r in rows:
        notes = {k: r[k] for k in ("append_errors", "messages", "close_codes") if r[k]}
        if r["extra"] or r["disorder"]:
            notes["extra/out of order"] = (r["extra"], r["disorder"])
        if r["subscribed"] != r["n"]:
            notes["subscribed"] = r["subscribed"]
        if r["acknowledged"] != r["sent"]:
            notes["events committed / acknowledged"] = (r["sent"], r["acknowledged"])
        if notes:
            print(f"\n{r['n']:,} subscribers at {r['rate']:,}/s: {json.dumps(notes)}")
            for s in r["samples"]:
                print(f"    e.g. …{s}…")


async def wait_active(host, port, target, timeout=60):
    deadline, value = time.monotonic() + timeout, None
    while time.monotonic() < deadline:
        value = await subscriptions_active(host, port)
        if value is None or value == target:
            return value
        await asyncio.sleep(0.2)
    return value


async def rss_part(args, pool, host, port, pid, k):
    rows = []
    for n in args.idle_list:
        base = await subscriptions_active(host, port)
        await asyncio.sleep(1)
        before = rss(pid)
        t0 = time.monotonic()
        opened, failures = await pool.open(n, k)
        active = await wait_active(host, port, (base or 0) + n)
        # Counted active, a subscription may still be getting its place in the event feed:
        # measure once the gateway is idle.
        await settle(host, port, pid, baseline=(base or 0) + n)
        setup = time.monotonic() - t0
        after = rss(pid)
        st = await pool.status()
        opened, active = st["subscriptions"], await subscriptions_active(host, port)  # live now
        if st["lost"] or st["closes"] or st["messages"]:
            failures = dict(failures, **{"connections lost after subscribing": st["lost"], "close frames": st["closes"],
                                         "messages": st["messages"], "e.g.": st["samples"]})
        await pool.each("close")
        await wait_active(host, port, base or 0)
        await asyncio.sleep(2)
        closed = rss(pid)
        rows.append((n, opened, active, before, after, closed, setup, failures))
    print(f"\n### Gateway RSS per idle subscriber ({k} subscription{'s' if k > 1 else ''} per WebSocket)\n")
    print("| subscribers | live (gateway: active) | RSS before MB | RSS with them MB | per live subscriber KB | RSS after closing MB | open and idle in s |")
    print("|--:|--:|--:|--:|--:|--:|--:|")
    for n, opened, active, before, after, closed, setup, failures in rows:
        print(f"| {n:,} | {opened:,} ({active if active is not None else '?'}) | {before / 2**20:.1f} | {after / 2**20:.1f} | "
              f"{(after - before) / max(1, opened) / 1024:.1f} | {closed / 2**20:.1f} | {setup:.1f} |")
        if failures:
            print(f"\n{n:,}: failures {json.dumps(failures)}")


async def latency_part(args, pool, host, port, pid, k, tag):
    rows, opening_notes = [], []
    for n in args.subscriber_list:
        is_open = False
        for rate in args.rate_list:
            for rep in range(args.repeat):
                if not is_open:
                    t0 = time.monotonic()
                    opened, failures = await pool.open(n, k)
                    st = await pool.status()
                    print(f"  {opened:,} subscriptions open in {time.monotonic() - t0:.1f} s" + (f"; failures {failures}" if failures else "")
                          + (f"; ended at once: {st['messages']} e.g. {st['samples'][:1]}" if st["messages"] else ""), file=sys.stderr)
                    if st["messages"]:
                        opening_notes.append(f"opening {n:,} subscriptions: {opened:,} open, ended at once: {json.dumps(st['messages'])}, e.g. {st['samples'][:1]}")
                    is_open = True
                r = await latency_run(args, pool, host, port, pid, n, rate, f"{tag}-{n}-{rate}-{rep}")
                print(f"  {n:,} × {rate:,}/s: p50 {r['p50']:.1f} ms p99 {r['p99']:.1f} ms, {r['delivered']:,}/{r['expected']:,} delivered "
                      f"({r['achieved']:,.0f} events/s sent)", file=sys.stderr)
                rows.append(r)
                if r["ended"] or r["missing"] or r["subscribed"] < n:
                    # Subscriptions ended, or a backlog still being delivered: start the next run
                    # on fresh subscriptions, so that it does not pay for this one's backlog.
                    await pool.each("close")
                    is_open = False
                    if not await settle(host, port, pid):
                        print("  note: the gateway did not settle within 180 s of closing the subscriptions", file=sys.stderr)
        if is_open:
            await pool.each("close")
        await settle(host, port, pid)
    print_latency(rows)
    for note in opening_notes:
        print(f"\n{note}")


async def claims_part(args, host, port, pid, tag):
    http = Http(host, port)
    title = f"bench-{tag}"
    submitted, agents = [], []
    try:
        agents = (await http.graphql("{ agents(first: 50) { id status } }"))["data"]["agents"]
        ids = [a["id"] for a in agents if a["status"] != "RETIRED"]
        if not ids:
            print("\nclaims: the tenant has no active agent", file=sys.stderr)
            return

        async def submit(count):
            h = Http(host, port)
            try:
                while True:
                    batch = min(20, count[0])
                    if batch <= 0:
                        return
                    count[0] -= batch
                    q = "mutation { " + " ".join(f't{i}: submitTask(input: {{title: "{title}", priority: 1000}}) {{ id }}' for i in range(batch)) + " }"
                    d = await h.graphql(q)
                    if d.get("errors"):
                        raise RuntimeError(f"submitTask: {d['errors'][0]}")
                    submitted.extend(v["id"] for v in d["data"].values())
            finally:
                h.close()

        t0 = time.monotonic()
        count = [args.tasks]  # shared by four submitters
        await asyncio.gather(*(submit(count) for _ in range(4)))
        submit_wall = time.monotonic() - t0
        ours = set(submitted)
        left = [len(submitted)]
        lat, foreign, empty, errors = [], [], 0, collections.Counter()

        async def claimer(i):
            nonlocal empty
            h = Http(host, port)
            agent = ids[i % len(ids)]
            try:
                while left[0] > 0:
                    left[0] -= 1
                    t = time.perf_counter()
                    d = await h.graphql(CLAIM, {"a": agent})
                    lat.append(time.perf_counter() - t)
                    task = (d.get("data") or {}).get("claimTask")
                    if d.get("errors"):
                        errors[d["errors"][0].get("message", "?")[:100]] += 1
                    elif task is None:
                        empty += 1
                    elif task["id"] not in ours:
                        foreign.append(task["id"])
            finally:
                h.close()

        t0, cpu0, machine0 = time.monotonic(), cpu_seconds(pid), machine_cpu()
        await asyncio.gather(*(claimer(i) for i in range(args.claimers)))
        wall = time.monotonic() - t0
        gw_cpu, machine = (cpu_seconds(pid) - cpu0) / wall, machine_cpu(machine0)
        lat.sort()
        print(f"\n### claimTask, {args.claimers} concurrent claimers, {len(submitted):,} tasks queued "
              f"(submitted in {submit_wall:.1f} s, 20 a request), {len(ids)} agents round-robin\n")
        print("| claims | claims/s | p50 ms | p99 ms | max ms | empty | not ours | errors | gateway CPU | machine busy |")
        print("|--:|--:|--:|--:|--:|--:|--:|--:|--:|--:|")
        print(f"| {len(lat):,} | {len(lat) / wall:,.0f} | {percentile(lat, 50) * 1e3:.1f} | {percentile(lat, 99) * 1e3:.1f} | "
              f"{(lat[-1] if lat else float('nan')) * 1e3:.1f} | {empty} | {len(foreign)} | {sum(errors.values())} | {gw_cpu * 100:.0f}% | {machine * 100:.0f}% |")
        if errors:
            print(f"\nclaim errors: {json.dumps(dict(errors))}")
        if foreign:
            print(f"\nclaimed {len(foreign)} task(s) that were not the bench's (left as they are): {foreign[:5]}")
    finally:
        http.close()
        if submitted:
            left, errors = await complete_all(host, port, submitted)
            print(f"\n(cleanup: {len(submitted) - left:,} of {len(submitted):,} bench tasks closed" +
                  (f"; errors on the way: {errors}" if errors else "") + ")", file=sys.stderr)
        if agents:
            # claimTask makes its agent BUSY; completeTask makes it IDLE only when it holds no other
            # ASSIGNED or CLAIMED task. Agents the API cannot put back are reported.
            h = Http(host, port)
            try:
                now = {a["id"]: a["status"] for a in (await h.graphql("{ agents(first: 50) { id status } }"))["data"]["agents"]}
            finally:
                h.close()
            changed = collections.Counter(f'{a["status"]} -> {now.get(a["id"])}' for a in agents if now.get(a["id"]) != a["status"])
            if changed:
                print(f"\nagents whose status the run changed (no API sets it back): {dict(changed)}")


async def complete_all(host, port, task_ids):
    """completeTask for every bench task still open; returns (tasks left open, errors). Rounds of:
    read the tasks' status (`task(id)`, 20 aliases a request), complete the open ones (20 aliases
    a request, 4 requests at once; an alias failing ends its request's serial execution there,
    so what remains open is tried again in the next round)."""
    errors = collections.Counter()

    async def batches(ids, make, handle):
        todo = list(ids)

        async def one():
            h = Http(host, port)
            try:
                while todo:
                    batch = [todo.pop() for _ in range(min(20, len(todo)))]
                    handle(batch, await h.graphql("{ " if make is None else make(batch)))
            finally:
                h.close()

        await asyncio.gather(*(one() for _ in range(4)))

    todo = list(task_ids)
    for attempt in range(7):
        still_open = []

        def statuses(batch, d):
            for i, t in enumerate(batch):
                task = (d.get("data") or {}).get(f"t{i}")
                if task is None or task["status"] in ("PENDING", "ASSIGNED", "CLAIMED"):
                    still_open.append(t)

        await batches(todo, lambda b: "{ " + " ".join(f't{i}: task(id: "{t}") {{ status }}' for i, t in enumerate(b)) + " }", statuses)
        todo = still_open
        if not todo or attempt == 6:
            break

        def completed(batch, d):
            for e in d.get("errors") or []:
                code = e.get("extensions", {}).get("code")
                if code != "NOT_FOUND":
                    errors[f'{code}: {e.get("message", "")[:100]}'] += 1

        await batches(todo, lambda b: "mutation { " + " ".join(f'c{i}: completeTask(taskId: "{t}") {{ id }}' for i, t in enumerate(b)) + " }",
                      completed)
    return len(todo), dict(errors)


def raise_fd_limit(needed):
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    want = hard if hard != resource.RLIM_INFINITY else max(soft, needed)
    if want > soft:
        resource.setrlimit(resource.RLIMIT_NOFILE, (want, hard))
    return resource.getrlimit(resource.RLIMIT_NOFILE)[0]


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0], formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--url", default="http://127.0.0.1:4801", help="the gateway (HTTP; the WebSocket is ws://HOST/graphql)")
    ap.add_argument("--pid", type=int, help="the gateway's PID (default: whoever listens on the URL's port)")
    ap.add_argument("--parts", default="rss,latency,claims")
    ap.add_argument("--subscribers", default="1,1000,10000", help="N for the latency runs")
    ap.add_argument("--rates", default="100,1000", help="R, events/s")
    ap.add_argument("--duration", type=float, default=10, help="seconds of appends per (N, R)")
    ap.add_argument("--max-streams", type=int, default=32, help="streams appended to at once at most (each sequentially, expectedVersion tracked)")
    ap.add_argument("--drain-timeout", type=float, default=120,
                    help="seconds after the last append to wait for deliveries; later ones count as missing")
    ap.add_argument("--repeat", type=int, default=1, help="runs per (N, R)")
    ap.add_argument("--idle", default="1000,10000", help="N for the RSS measurement")
    ap.add_argument("--per-connection", type=int, default=1, help="subscriptions per WebSocket (default: one WebSocket each)")
    ap.add_argument("--workers", type=int, default=1, help="subscriber processes")
    ap.add_argument("--connect-concurrency", type=int, default=200, help="connection handshakes in flight per worker")
    ap.add_argument("--tasks", type=int, default=5000)
    ap.add_argument("--claimers", type=int, default=50)
    args = ap.parse_args()
    url = urllib.parse.urlparse(args.url)
    host, port = url.hostname, url.port or 80
    parts = set(args.parts.split(","))
    args.subscriber_list = [int(x) for x in args.subscribers.split(",") if x]
    args.rate_list = [int(x) for x in args.rates.split(",") if x]
    args.idle_list = [int(x) for x in args.idle.split(",") if x]
    pid = args.pid or gateway_pid(port)
    if not pid:
        raise SystemExit(f"no process listens on port {port}")
    tag = time.strftime("%Y%m%d-%H%M%S")

    # File descriptors: each worker holds its share of the WebSockets.
    largest = max((args.subscriber_list if "latency" in parts else []) + (args.idle_list if "rss" in parts else []) + [1])
    per_worker = math.ceil(math.ceil(largest / args.per_connection) / args.workers) + 64
    limit = raise_fd_limit(per_worker)
    print(f"gateway PID {pid}; open files: ours {limit} (needed per worker ~{per_worker}), gateway's {open_files_limit(pid)}", file=sys.stderr)
    too_many = [n for n in set(args.subscriber_list + args.idle_list)
                if math.ceil(math.ceil(n / args.per_connection) / args.workers) + 64 > limit]
    if too_many:
        print(f"NOTE: {too_many} subscribers are not reachable with {limit} open files per process "
              f"(raise the hard limit, or use --workers / --per-connection); they are skipped", file=sys.stderr)
        args.subscriber_list = [n for n in args.subscriber_list if n not in too_many]
        args.idle_list = [n for n in args.idle_list if n not in too_many]
    gw_limit = open_files_limit(pid)
    if gw_limit and largest / args.per_connection + 200 > gw_limit:
        print(f"NOTE: the gateway may open only {gw_limit} files; {largest:,} WebSockets will not all fit", file=sys.stderr)

    def terminated(*_):
        raise KeyboardInterrupt  # (cleans up as for Ctrl-C)

    signal.signal(signal.SIGTERM, terminated)
    ctx = multiprocessing.get_context("fork")
    handles = [WorkerHandle(ctx, host, port, args.connect_concurrency) for _ in range(args.workers)]

    async def run():
        pool = Pool(handles)
        print(f"## Switchyard subscriptions and task queue — {time.strftime('%Y-%m-%d %H:%M')}, gateway {args.url} (PID {pid}), "
              f"{args.workers} subscriber process(es), {args.per_connection} subscription(s) per WebSocket")
        if "rss" in parts and args.idle_list:
            await rss_part(args, pool, host, port, pid, args.per_connection)
        if "latency" in parts and args.subscriber_list:
            await latency_part(args, pool, host, port, pid, args.per_connection, tag)
        if "claims" in parts:
            await claims_part(args, host, port, pid, tag)
        await pool.each("exit")

    try:
        asyncio.run(run())
    except KeyboardInterrupt:
        print("interrupted", file=sys.stderr)
    finally:
        for h in handles:
            h.proc.join(timeout=15)
            if h.proc.is_alive():
                h.proc.terminate()
                h.proc.join(timeout=5)


if __name__ == "__main__":
    main()
