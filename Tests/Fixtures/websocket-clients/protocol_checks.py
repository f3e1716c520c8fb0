"""graphql-transport-ws protocol checks against a server, with the `websockets` client (PyPI).
Prints one line per check, "ok NAME" or "FAIL NAME: why", then "finished".

    python3 protocol_checks.py WS_URL
    python3 protocol_checks.py WS_URL LIMIT   (only: a message of more than LIMIT bytes is refused)
    python3 protocol_checks.py WS_URL LIMIT BODY_LIMIT   (only: a duplicate id over the body limit is 4409)
"""
import asyncio
import json
import signal
import sys

import websockets

signal.pthread_sigmask(signal.SIG_UNBLOCK, [signal.SIGTERM, signal.SIGINT])
URL = sys.argv[1]
PROTOCOL = "graphql-transport-ws"


async def connect():
    return await websockets.connect(URL, subprotocols=[PROTOCOL])


async def recv(ws):
    return json.loads(await asyncio.wait_for(ws.recv(), 30))


async def closed_with(ws, code):
    try:
        while True:
            await asyncio.wait_for(ws.recv(), 30)
    except websockets.ConnectionClosed as e:
        got = e.rcvd.code if e.rcvd else None
        if got != code:
            raise AssertionError("closed with %s, expected %s" % (got, code))


async def subscribe_before_ack():
    ws = await connect()
    await ws.send(json.dumps({"id": "1", "type": "subscribe", "payload": {"query": "{ lastTick { n } }"}}))
    await closed_with(ws, 4401)


async def other_subprotocols():
    # A client that offers no subprotocol, or only the legacy `graphql-ws`: upgraded, then closed
    # with 4406 (as graphql-ws's servers do), not refused with a bare HTTP 400.
    for offered in (None, ["graphql-ws"]):
        ws = await websockets.connect(URL, subprotocols=offered)
        assert ws.subprotocol is None, ws.subprotocol
        await closed_with(ws, 4406)


async def second_init():
    ws = await connect()
    await ws.send(json.dumps({"type": "connection_init"}))
    assert (await recv(ws))["type"] == "connection_ack"
    await ws.send(json.dumps({"type": "connection_init"}))
    await closed_with(ws, 4429)


async def invalid_message():
    ws = await connect()
    await ws.send("not json")
    await closed_with(ws, 4400)
    # A connection_init whose payload is not an object is an invalid message too.
    ws = await connect()
    await ws.send(json.dumps({"type": "connection_init", "payload": "token"}))
    await closed_with(ws, 4400)
    # So are a subscribe whose payload's members have other types, a complete without an id and
    # a ping whose payload is not an object.
    for bad in ({"id": "1", "type": "subscribe", "payload": {"query": 1}},
                {"id": "1", "type": "subscribe", "payload": {}},
                {"id": "1", "type": "subscribe", "payload": {"query": None}},
                {"id": "1", "type": "subscribe", "payload": {"query": "{ lastTick { n } }", "variables": "{}"}},
                {"id": "1", "type": "subscribe", "payload": {"query": "{ lastTick { n } }", "extensions": []}},
                {"type": "complete"},
                {"type": "ping", "payload": "x"},
                # A lone UTF-16 surrogate escape (json.dumps writes "\ud800"): read as U+FFFD it
                # would be another value than the one sent.
                {"id": "1", "type": "subscribe", "payload": {"query": "{ lastTick { n } }", "variables": {"n": "\ud800"}}}):
        ws = await connect()
        await ws.send(json.dumps({"type": "connection_init", "payload": {}}))
        assert (await recv(ws))["type"] == "connection_ack"
        await ws.send(json.dumps(bad))
        await closed_with(ws, 4400)


async def ping_pong_query_and_errors():
    ws = await connect()
    assert ws.subprotocol == PROTOCOL, ws.subprotocol
    await ws.send(json.dumps({"type": "connection_init", "payload": {}}))
    assert (await recv(ws))["type"] == "connection_ack"
    await ws.send(json.dumps({"type": "ping"}))
    assert (await recv(ws))["type"] == "pong"
    # A query over the socket: one next, then complete.
    await ws.send(json.dumps({"id": "q", "type": "subscribe", "payload": {"query": "{ lastTick { n } }"}}))
    m = await recv(ws)
    assert m == {"id": "q", "type": "next", "payload": {"data": {"lastTick": None}}}, m
    m = await recv(ws)
    assert m == {"id": "q", "type": "complete"}, m
    # A document that does not validate: error with the errors, no complete.
    await ws.send(json.dumps({"id": "bad", "type": "subscribe", "payload": {"query": "{ nope }"}}))
    m = await recv(ws)
    assert m["id"] == "bad" and m["type"] == "error" and m["payload"][0]["extensions"]["code"] == "GRAPHQL_VALIDATION_FAILED", m
    # The same id twice while the first runs: 4409.
    sub = {"query": "subscription { ticks(count: 1000) { n } }"}
    await ws.send(json.dumps({"id": "s", "type": "subscribe", "payload": sub}))
    await ws.send(json.dumps({"id": "s", "type": "subscribe", "payload": sub}))
    await closed_with(ws, 4409)
    # An id of 1,000 bytes: the close frame's reason is cut to fit a control frame (125 bytes,
    # RFC 6455 §5.5) — the client sees 4409, not a protocol error of its own (1002).
    ws = await connect()
    await ws.send(json.dumps({"type": "connection_init", "payload": {}}))
    assert (await recv(ws))["type"] == "connection_ack"
    long_id = "\u00e9" * 500
    forever = {"query": "subscription { forever { n } }"}
    await ws.send(json.dumps({"id": long_id, "type": "subscribe", "payload": forever}))
    await ws.send(json.dumps({"id": long_id, "type": "subscribe", "payload": forever}))
    await closed_with(ws, 4409)
    # A persisted query's subscribe has no `query`: not an invalid message (the hash is unknown).
    ws = await connect()
    await ws.send(json.dumps({"type": "connection_init", "payload": {}}))
    assert (await recv(ws))["type"] == "connection_ack"
    await ws.send(json.dumps({"id": "p", "type": "subscribe", "payload": {
        "extensions": {"persistedQuery": {"version": 1, "sha256Hash": "0" * 64}}}}))
    m = await recv(ws)
    assert m["id"] == "p" and m["type"] == "error" and m["payload"][0]["extensions"]["code"] == "PERSISTED_QUERY_NOT_FOUND", m
    await ws.close()


async def reuse_ids_large_messages_and_ping_payloads():
    ws = await connect()
    await ws.send(json.dumps({"type": "connection_init", "payload": {}}))
    assert (await recv(ws))["type"] == "connection_ack"
    # A pong carries the ping's payload back.
    await ws.send(json.dumps({"type": "ping", "payload": {"at": 7}}))
    m = await recv(ws)
    assert m == {"type": "pong", "payload": {"at": 7}}, m
    # A message beyond one 16 KiB frame (within max_message_bytes) is read, not closed with 1009.
    big = "{ lastTick { n } }" + " " * 40_000
    await ws.send(json.dumps({"id": "big", "type": "subscribe", "payload": {"query": big}}))
    m = await recv(ws)
    assert m == {"id": "big", "type": "next", "payload": {"data": {"lastTick": None}}}, m
    m = await recv(ws)
    assert m == {"id": "big", "type": "complete"}, m
    # An id is free again as soon as its `complete` is read: reused at once, never 4409.
    for _ in range(100):
        await ws.send(json.dumps({"id": "q", "type": "subscribe", "payload": {"query": "{ lastTick { n } }"}}))
        m = await recv(ws)
        assert m["type"] == "next", m
        m = await recv(ws)
        assert m == {"id": "q", "type": "complete"}, m
    # Subscriptions completed by the client and started again under their id at once: each run
    # is the one the next `complete` stops, and none says anything after it.
    sub = {"query": "subscription { ticks(count: 1000) { n } }"}
    for _ in range(20):
        await ws.send(json.dumps({"id": "s", "type": "subscribe", "payload": sub}))
        await ws.send(json.dumps({"id": "s", "type": "complete"}))
    await ws.send(json.dumps({"id": "after", "type": "subscribe", "payload": {"query": "{ lastTick { n } }"}}))
    # (A run whose source ended before the client's `complete` reached the gateway may say
    # `complete` itself: the protocol allows it. Nothing else comes for `s`.)
    m = await recv(ws)
    while m == {"id": "s", "type": "complete"}:
        m = await recv(ws)
    assert m["id"] == "after", m
    await ws.close()


async def message_over_the_limit():
    # `subscriptions.max_message_bytes` below the 16 KiB frame size: one frame of a message just
    # within it is read, one just over it closes the connection with 1009 (message too big).
    limit = int(sys.argv[2])
    ws = await connect()
    await ws.send(json.dumps({"type": "connection_init", "payload": {}}))
    assert (await recv(ws))["type"] == "connection_ack"
    def message(size):
        m = json.dumps({"id": "m", "type": "subscribe", "payload": {"query": "{ lastTick { n } }"}})
        return m[:-1] + " " * (size - len(m)) + "}"
    within = message(limit)
    assert len(within.encode()) == limit
    await ws.send(within)
    m = await recv(ws)
    assert m["type"] == "next", m
    m = await recv(ws)
    assert m == {"id": "m", "type": "complete"}, m
    await ws.send(message(limit + 1))
    await closed_with(ws, 1009)


async def duplicate_over_the_body_limit():
    # With max_body_bytes (BODY_LIMIT, under 1,500) below the message limit: a second subscribe
    # for an id that runs is 4409 even when it is also too large for the body limit (no error
    # under that id while it streams on).
    ws = await connect()
    await ws.send(json.dumps({"type": "connection_init", "payload": {}}))
    assert (await recv(ws))["type"] == "connection_ack"
    sub = {"query": "subscription { forever { n } }"}
    await ws.send(json.dumps({"id": "s", "type": "subscribe", "payload": sub}))
    await ws.send(json.dumps({"id": "s", "type": "subscribe", "payload": {"query": sub["query"] + " " * 1500}}))
    await closed_with(ws, 4409)


async def unmasked_frame_closes_the_connection():
    # RFC 6455 §5.1: a client's frames are masked; the server closes the connection on one that
    # is not (here with 1002, protocol error) and does not act on it. Raw socket: no client
    # library sends an unmasked frame.
    from urllib.parse import urlsplit
    import base64
    import os
    parts = urlsplit(URL)
    reader, writer = await asyncio.open_connection(parts.hostname, parts.port)
    key = base64.b64encode(os.urandom(16)).decode()
    writer.write(("GET %s HTTP/1.1\r\nHost: %s\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
                  "Sec-WebSocket-Key: %s\r\nSec-WebSocket-Version: 13\r\nSec-WebSocket-Protocol: %s\r\n\r\n"
                  % (parts.path or "/", parts.netloc, key, PROTOCOL)).encode())
    head = await asyncio.wait_for(reader.readuntil(b"\r\n\r\n"), 30)
    assert head.startswith(b"HTTP/1.1 101"), head
    payload = json.dumps({"type": "connection_init"}).encode()
    writer.write(bytes([0x81, len(payload)]) + payload)
    rest = await asyncio.wait_for(reader.read(), 30)   # everything until the server closes
    writer.close()
    assert rest == bytes([0x88, 0x02, 0x03, 0xEA]), rest   # only a close frame, code 1002


async def main():
    checks = (subscribe_before_ack, other_subprotocols, second_init, invalid_message, ping_pong_query_and_errors,
              reuse_ids_large_messages_and_ping_payloads, unmasked_frame_closes_the_connection)
    if len(sys.argv) > 3:
        checks = (duplicate_over_the_body_limit,)
    elif len(sys.argv) > 2:
        checks = (message_over_the_limit,)
    for check in checks:
        try:
            await check()
            print("ok", check.__name__, flush=True)
        except Exception as e:
            print("FAIL %s: %s %s" % (check.__name__, type(e).__name__, e), flush=True)
    print("finished", flush=True)


asyncio.run(main())
