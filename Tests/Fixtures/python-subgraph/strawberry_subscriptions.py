"""A Federation v2 subgraph with a subscription, written with Strawberry (PyPI) and served by
uvicorn: `Subscription.reviewAdded(count, every)` sends `count` reviews (`every` seconds apart), then completes;
`Subscription.refused` fails before its stream starts (an `error` message); `Subscription.handshake` sends
the `Host`, `Origin`, `X-Team`, `X-Locale` and `traceparent` headers of its WebSocket handshake once; over HTTP POST
(`_service { sdl }`, queries) and WebSocket (graphql-transport-ws) on /graphql. Prints its port.

    python3 strawberry_subscriptions.py
"""
import asyncio
import signal
import socket
import sys
import typing

import strawberry
import uvicorn
from strawberry.asgi import GraphQL
from strawberry.subscriptions import GRAPHQL_TRANSPORT_WS_PROTOCOL

signal.pthread_sigmask(signal.SIG_UNBLOCK, [signal.SIGTERM, signal.SIGINT])


@strawberry.federation.type(keys=["id"])
class Review:
    id: strawberry.ID
    body: str


@strawberry.type
class Handshake:
    host: typing.Optional[str]
    origin: typing.Optional[str]
    team: typing.Optional[str]
    locale: typing.Optional[str]
    traceparent: typing.Optional[str]


@strawberry.type
class Query:
    @strawberry.field
    def review(self, id: strawberry.ID) -> typing.Optional[Review]:
        return Review(id=id, body=f"review {id}")


@strawberry.type
class Subscription:
    @strawberry.subscription
    async def review_added(self, count: int, every: float = 0) -> typing.AsyncGenerator[Review, None]:
        for i in range(1, count + 1):
            yield Review(id=strawberry.ID(str(i)), body=f"review {i}")
            await asyncio.sleep(every)

    @strawberry.subscription
    async def handshake(self, info: strawberry.Info) -> typing.AsyncGenerator[Handshake, None]:
        # What the subscription's WebSocket handshake carried.
        headers = info.context["request"].headers
        yield Handshake(host=headers.get("host"), origin=headers.get("origin"), team=headers.get("x-team"),
                        locale=headers.get("x-locale"), traceparent=headers.get("traceparent"))

    @strawberry.subscription
    def refused(self) -> typing.AsyncGenerator[Review, None]:
        # Fails while its source stream is made: graphql-transport-ws answers `error`, not `next`.
        raise PermissionError("not for you")


schema = strawberry.federation.Schema(query=Query, subscription=Subscription)
# Strawberry's defaults: it refuses WebSocket handshakes whose `Origin` is not its own host and
# port (cross-site WebSocket hijacking) and lets clients without an `Origin` in — the gateway's
# handshake sends none.
app = GraphQL(schema, subscription_protocols=[GRAPHQL_TRANSPORT_WS_PROTOCOL])

sock = socket.socket()
sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
sock.bind(("127.0.0.1", int(sys.argv[1]) if len(sys.argv) > 1 else 0))
sock.listen(64)
print(sock.getsockname()[1], flush=True)
server = uvicorn.Server(uvicorn.Config(app, log_level="warning", ws="auto", lifespan="off"))
server.run(sockets=[sock])
