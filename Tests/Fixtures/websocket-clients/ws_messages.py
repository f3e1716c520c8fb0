"""Subscribes over graphql-transport-ws with the `websockets` client (PyPI) and prints every
message of the operation as it comes, one line each: its type, a space, its payload as JSON
("-" when it has none); "closed CODE" when the server closes the connection, "quiet" after 30 s
without a message. "error: TYPE: MESSAGE" on a failure before that.

    python3 ws_messages.py WS_URL QUERY
"""
import asyncio
import json
import signal
import sys

import websockets

signal.pthread_sigmask(signal.SIG_UNBLOCK, [signal.SIGTERM, signal.SIGINT])


async def main(url, query):
    async with websockets.connect(url, subprotocols=["graphql-transport-ws"]) as ws:
        await ws.send(json.dumps({"type": "connection_init", "payload": {}}))
        ack = json.loads(await asyncio.wait_for(ws.recv(), 30))
        if ack.get("type") != "connection_ack":
            raise RuntimeError("no ack: %s" % ack)
        await ws.send(json.dumps({"id": "1", "type": "subscribe", "payload": {"query": query}}))
        try:
            while True:
                m = json.loads(await asyncio.wait_for(ws.recv(), 30))
                payload = m.get("payload")
                print("%s %s" % (m.get("type"), "-" if payload is None else json.dumps(payload, separators=(",", ":"))), flush=True)
        except websockets.ConnectionClosed as e:
            print("closed %s" % (e.rcvd.code if e.rcvd else "none"), flush=True)
        except asyncio.TimeoutError:
            print("quiet", flush=True)


try:
    asyncio.run(main(sys.argv[1], sys.argv[2]))
except Exception as e:  # the test reads this line
    print("error: %s: %s" % (type(e).__name__, e), flush=True)
