"""Subscribes with gql (PyPI) over its aiohttp transport, Apollo's multipart HTTP subscriptions
(`Accept: multipart/mixed;subscriptionSpec=1.0`), and prints each result's data as one JSON
line, then "done" when the server completes.

    python3 gql_multipart_subscribe.py HTTP_URL QUERY [HEADERS_JSON]
"""
import asyncio
import json
import signal
import sys

from gql import Client, gql
from gql.transport.aiohttp import AIOHTTPTransport

signal.pthread_sigmask(signal.SIG_UNBLOCK, [signal.SIGTERM, signal.SIGINT])


async def main(url, query, headers):
    transport = AIOHTTPTransport(url=url, headers=headers)
    async with Client(transport=transport, fetch_schema_from_transport=False) as session:
        async for data in session.subscribe(gql(query)):
            print(json.dumps(data, separators=(",", ":")), flush=True)
    print("done", flush=True)


try:
    asyncio.run(main(sys.argv[1], sys.argv[2], json.loads(sys.argv[3]) if len(sys.argv) > 3 else None))
except Exception as e:  # the test reads this line
    print("error: %s: %s" % (type(e).__name__, e), flush=True)
