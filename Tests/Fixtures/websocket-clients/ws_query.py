"""One operation over graphql-transport-ws with `websockets` (PyPI), the upgrade request carrying
extra headers: connection_init, subscribe, then prints each `next` payload as one JSON line and
"done" on `complete` ("error: ..." on an `error` message or any exception).

    python3 ws_query.py WS_URL QUERY [HEADERS_JSON] [SECONDS_BEFORE_SUBSCRIBE | FILE]

With FILE (not a number): prints "acked" once the connection is acknowledged, and subscribes
once FILE exists. A connection the gateway closes prints "closed: CODE".
"""
import asyncio
import json
import os
import sys

import websockets


async def main(url, query, headers, wait):
    async with websockets.connect(url, subprotocols=["graphql-transport-ws"], additional_headers=headers) as ws:
        await ws.send(json.dumps({"type": "connection_init", "payload": {}}))
        ack = json.loads(await ws.recv())
        if ack.get("type") != "connection_ack":
            raise RuntimeError("no ack: %s" % ack)
        if isinstance(wait, str):
            print("acked", flush=True)
            while not os.path.exists(wait):
                await asyncio.sleep(0.02)
        else:
            await asyncio.sleep(wait)
        await ws.send(json.dumps({"id": "1", "type": "subscribe", "payload": {"query": query}}))
        while True:
            m = json.loads(await ws.recv())
            if m.get("type") == "next":
                print(json.dumps(m["payload"], separators=(",", ":")), flush=True)
            elif m.get("type") == "error":
                print("error: %s" % json.dumps(m.get("payload")), flush=True)
                return
            elif m.get("type") == "complete":
                print("done", flush=True)
                return


try:
    def pause(arg):
        try:
            return float(arg)
        except ValueError:
            return arg
    asyncio.run(main(sys.argv[1], sys.argv[2], json.loads(sys.argv[3]) if len(sys.argv) > 3 else {},
                     pause(sys.argv[4]) if len(sys.argv) > 4 else 0))
except websockets.exceptions.ConnectionClosed as e:
    print("closed: %s" % (e.rcvd.code if e.rcvd else None), flush=True)
except Exception as e:  # the test reads this line
    print("error: %s: %s" % (type(e).__name__, e), flush=True)
