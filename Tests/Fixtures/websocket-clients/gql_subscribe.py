"""Subscribes with gql (PyPI) over its WebSocket transport, graphql-transport-ws subprotocol,
and prints each result's data as one JSON line, then "done" when the server completes
("error: TYPE: MESSAGE (close CODE)" when the connection ends otherwise).

    python3 gql_subscribe.py WS_URL QUERY [INIT_PAYLOAD_JSON]
"""
import asyncio
import json
import signal
import sys

from gql import Client, gql
from gql.transport.websockets import WebsocketsTransport

signal.pthread_sigmask(signal.SIG_UNBLOCK, [signal.SIGTERM, signal.SIGINT])


async def main(url, query, init_payload):
    transport = WebsocketsTransport(url=url, subprotocols=[WebsocketsTransport.GRAPHQLWS_SUBPROTOCOL],
                                    init_payload=init_payload)
    async with Client(transport=transport, fetch_schema_from_transport=False) as session:
        async for data in session.subscribe(gql(query)):
            print(json.dumps(data, separators=(",", ":")), flush=True)
    print("done", flush=True)


try:
    asyncio.run(main(sys.argv[1], sys.argv[2], json.loads(sys.argv[3]) if len(sys.argv) > 3 else {}))
except Exception as e:  # the test reads this line (with the server's close code, when it sent one)
    code, seen = None, e
    while seen is not None and code is None:
        code = getattr(getattr(seen, "rcvd", None), "code", None)
        seen = seen.__cause__ or seen.__context__
    print("error: %s: %s%s" % (type(e).__name__, e, " (close %s)" % code if code else ""), flush=True)
