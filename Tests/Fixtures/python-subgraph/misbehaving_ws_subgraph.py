"""A Federation v2 subgraph whose WebSocket side misbehaves as MODE says (asyncio, by hand, so that
it can). HTTP POST answers `_service { sdl }`, `_entities` and `{ hello }`; a WebSocket upgrade on any path:

    silent          accepts the TCP connection and never answers the upgrade
    refuse          answers the upgrade with 403 and a JSON body
    otherprotocol   upgrades, choosing the subprotocol `graphql-ws` (not offered)
    foreignid       acknowledges, then sends `next` and `complete` for id "7", then two events
                    and `complete` for id "1"
    burst           acknowledges, then sends 2,000 events at once and `complete`
    mute            acknowledges, sends one event, then answers nothing (pings included) and keeps
                    the connection open: a peer that went away without closing it
    quiet           acknowledges and answers each `ping` with `pong`; sends one event and
                    `complete` only after its third `ping` (prints "ping" for each)
    error           acknowledges, then answers the subscription with `error` (a GraphQL error at
                    the path `ticks`)
    labels          no subscription: `Tick.label` for other subgraphs' ticks (`_entities`)

Prints its port, then "closed" each time a client's connection ends. With CERT and KEY it
serves TLS (https/wss) with them; with CLIENT_CA too it asks for a client certificate that
authority issued.

    python3 misbehaving_ws_subgraph.py MODE [CERT KEY [CLIENT_CA]]
"""
import asyncio
import base64
import hashlib
import json
import signal
import ssl
import struct
import sys

signal.pthread_sigmask(signal.SIG_UNBLOCK, [signal.SIGTERM, signal.SIGINT])
MODE = sys.argv[1]
SDL = """extend schema @link(url: "https://specs.apollo.dev/federation/v2.3", import: ["@key"])
type Query { hello: String }
type Tick @key(fields: "id") { id: ID! n: Int }
type Subscription { ticks: Tick }
""" if MODE != "labels" else """extend schema @link(url: "https://specs.apollo.dev/federation/v2.3", import: ["@key"])
type Query { other: String }
type Tick @key(fields: "id") { id: ID! label: String }
"""


def frame(payload):
    data = json.dumps(payload).encode()
    n = len(data)
    head = struct.pack("!BB", 0x81, n) if n < 126 else struct.pack("!BBH", 0x81, 126, n)
    return head + data


async def read_message(reader):
    """One client frame's text (masked, unfragmented), or None for a close frame."""
    b0, b1 = await reader.readexactly(2)
    n = b1 & 0x7F
    if n == 126:
        n = struct.unpack("!H", await reader.readexactly(2))[0]
    elif n == 127:
        n = struct.unpack("!Q", await reader.readexactly(8))[0]
    key = await reader.readexactly(4) if b1 & 0x80 else b"\0\0\0\0"
    data = bytes(c ^ key[i % 4] for i, c in enumerate(await reader.readexactly(n)))
    return None if b0 & 0x0F == 8 else json.loads(data)


async def websocket(reader, writer, headers):
    if MODE == "silent":
        await reader.read()          # until the client closes
        return
    if MODE == "refuse":
        body = b'{"errors":[{"message":"no"}]}'
        writer.write(b"HTTP/1.1 403 Forbidden\r\ncontent-type: application/json\r\ncontent-length: %d\r\n\r\n%s" % (len(body), body))
        await writer.drain()
        await reader.read()
        return
    accept = base64.b64encode(hashlib.sha1((headers["sec-websocket-key"] + "258EAFA5-E914-47DA-95CA-C5AB0DC85B11").encode()).digest())
    protocol = "graphql-ws" if MODE == "otherprotocol" else "graphql-transport-ws"
    writer.write(b"HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
                 b"Sec-WebSocket-Accept: %s\r\nSec-WebSocket-Protocol: %s\r\n\r\n" % (accept, protocol.encode()))
    await writer.drain()
    pings = 0
    while True:
        message = await read_message(reader)
        if message is None:
            return
        if message["type"] == "connection_init":
            writer.write(frame({"type": "connection_ack"}))
        elif message["type"] == "ping" and MODE == "quiet":
            pings += 1
            print("ping", flush=True)
            writer.write(frame({"type": "pong"}))
            if pings == 3:
                writer.write(frame({"id": "1", "type": "next", "payload": {"data": {"ticks": {"id": "1", "n": pings}}}}))
                writer.write(frame({"id": "1", "type": "complete"}))
        elif message["type"] == "subscribe" and MODE == "quiet":
            pass
        elif message["type"] == "subscribe" and MODE == "mute":
            writer.write(frame({"id": "1", "type": "next", "payload": {"data": {"ticks": {"id": "1", "n": 1}}}}))
            await writer.drain()
            await reader.read()   # until the client closes: every ping unanswered
        elif message["type"] == "subscribe" and MODE == "error":
            writer.write(frame({"id": message["id"], "type": "error",
                                "payload": [{"message": "Not allowed to watch ticks.", "path": ["ticks"]}]}))
        elif message["type"] == "subscribe":
            if MODE == "foreignid":
                writer.write(frame({"id": "7", "type": "next", "payload": {"data": {"ticks": {"id": "x", "n": -1}}}}))
                writer.write(frame({"id": "7", "type": "complete"}))
                for n in (1, 2):
                    writer.write(frame({"id": "1", "type": "next", "payload": {"data": {"ticks": {"id": str(n), "n": n}}}}))
            else:
                for n in range(1, 2001):
                    writer.write(frame({"id": "1", "type": "next", "payload": {"data": {"ticks": {"id": str(n), "n": n}}}}))
            writer.write(frame({"id": "1", "type": "complete"}))
        await writer.drain()


async def handle(reader, writer):
    headers = {}
    try:
        head = (await reader.readuntil(b"\r\n\r\n")).decode()
        lines = head.split("\r\n")
        headers = {k.strip().lower(): v.strip() for k, v in (l.split(":", 1) for l in lines[1:] if ":" in l)}
        if headers.get("upgrade", "").lower() == "websocket":
            await websocket(reader, writer, headers)
            return
        body = json.loads(await reader.readexactly(int(headers.get("content-length", "0"))))
        if "_service" in body["query"]:
            answer = {"data": {"_service": {"sdl": SDL}}}
        elif "representations" not in (body.get("variables") or {}):
            answer = {"data": {"hello": "hello"}}
        else:
            answer = {"data": {"_entities": [{"__typename": "Tick", "id": r["id"], "label": "tick " + r["id"]}
                                             for r in body["variables"]["representations"]]}}
        data = json.dumps(answer).encode()
        writer.write(b"HTTP/1.1 200 OK\r\ncontent-type: application/json\r\ncontent-length: %d\r\nconnection: close\r\n\r\n%s" % (len(data), data))
        await writer.drain()
    except (asyncio.IncompleteReadError, ConnectionError):
        pass
    finally:
        if headers.get("upgrade", "").lower() == "websocket":
            print("closed", flush=True)
        writer.close()


async def main():
    context = None
    if len(sys.argv) > 3:
        context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
        context.load_cert_chain(sys.argv[2], sys.argv[3])
        if len(sys.argv) > 4:
            context.verify_mode = ssl.CERT_REQUIRED
            context.load_verify_locations(sys.argv[4])
    server = await asyncio.start_server(handle, "127.0.0.1", 0, ssl=context)
    print(server.sockets[0].getsockname()[1], flush=True)
    async with server:
        await server.serve_forever()


asyncio.run(main())
