"""GraphQL over SSE, single connection mode, with httpx and httpx-sse (PyPI), as graphql-sse's
client speaks it: PUT reserves a stream (201, a token), GET ?token= opens it, POSTs with the
X-GraphQL-Event-Stream-Token header and extensions.operationId run operations (202; results come
through the stream as `next` {id, payload}, then `complete` {id}), DELETE ?operationId= stops one.
Prints one JSON object with what it saw, then "done"; "error: TYPE: MESSAGE" on any exception.

    python3 sse_single_connection.py URL QUERY SUBSCRIPTION
"""
import json
import os
import signal
import sys
import threading
import time

import httpx
from httpx_sse import connect_sse

signal.pthread_sigmask(signal.SIG_UNBLOCK, [signal.SIGTERM, signal.SIGINT])


def main(url, query, subscription):
    seen = {}
    events = []
    got = {"q1": threading.Event(), "s1-first": threading.Event(), "s1-complete": threading.Event()}
    timeout = httpx.Timeout(10.0, read=None)
    with httpx.Client(timeout=timeout) as client:
        reserved = client.put(url)
        seen["reserve"] = reserved.status_code
        token = reserved.text
        seen["unknownToken"] = client.get(url, params={"token": "nope"}, headers={"accept": "text/event-stream"}).status_code
        seen["postBeforeOpen"] = client.post(url, json={"query": query, "extensions": {"operationId": "early"}},
                                             headers={"x-graphql-event-stream-token": token}).status_code
        # Its results wait for the stream: the id is still in use until its `complete` is written.
        seen["sameIdBeforeOpen"] = client.post(url, json={"query": query, "extensions": {"operationId": "early"}},
                                               headers={"x-graphql-event-stream-token": token}).status_code
        opened = threading.Event()

        def listen():
            with httpx.Client(timeout=timeout) as c:
                with connect_sse(c, "GET", url, params={"token": token}, headers={"accept": "text/event-stream"}) as source:
                    seen["open"] = source.response.status_code
                    opened.set()
                    for event in source.iter_sse():
                        data = json.loads(event.data)
                        events.append({"event": event.event, "data": data})
                        if data.get("id") == "q1" and event.event == "complete":
                            got["q1"].set()
                        if data.get("id") == "s1" and event.event == "next":
                            got["s1-first"].set()
                        if data.get("id") == "s1" and event.event == "complete":
                            got["s1-complete"].set()
                            return

        listener = threading.Thread(target=listen, daemon=True)
        listener.start()
        opened.wait(10)
        seen["secondOpen"] = client.get(url, params={"token": token}, headers={"accept": "text/event-stream"}).status_code
        token_header = {"x-graphql-event-stream-token": token}
        seen["query"] = client.post(url, json={"query": query, "extensions": {"operationId": "q1"}}, headers=token_header).status_code
        got["q1"].wait(10)
        # An operation stopped while its request still runs sends no result (its `complete` only).
        held = "/tmp/sse-held-%d" % os.getpid()
        posting = threading.Thread(target=lambda: seen.__setitem__("held", client.post(
            url, json={"query": "{ heldTick(file: %s) { n } }" % json.dumps(held), "extensions": {"operationId": "h1"}},
            headers={"x-graphql-event-stream-token": token}).status_code), daemon=True)
        posting.start()
        for _ in range(3000):
            if os.path.exists(held + ".started"):
                break
            time.sleep(0.01)
        seen["stopWhileRunning"] = client.delete(url, params={"operationId": "h1"}, headers={"x-graphql-event-stream-token": token}).status_code
        open(held, "w").close()
        posting.join(10)
        os.remove(held)
        os.remove(held + ".started")
        # The token may come as `?token=` on a POST too (as graphql-sse reads it for every method).
        seen["queryToken"] = client.post(url, params={"token": token}, json={"query": query, "extensions": {"operationId": "q2"}}).status_code
        invalid = client.post(url, json={"query": "{ nope }", "extensions": {"operationId": "bad"}}, headers=token_header)
        seen["invalid"] = [invalid.status_code, invalid.json()["errors"][0]["extensions"]["code"]]
        seen["noId"] = client.post(url, json={"query": query}, headers=token_header).status_code
        seen["subscription"] = client.post(url, json={"query": subscription, "extensions": {"operationId": "s1"}}, headers=token_header).status_code
        seen["sameId"] = client.post(url, json={"query": subscription, "extensions": {"operationId": "s1"}}, headers=token_header).status_code
        got["s1-first"].wait(10)
        # A stop for an operation the stream does not run (done, or never posted) is 200.
        seen["stopNone"] = client.delete(url, params={"operationId": "none"}, headers=token_header).status_code
        seen["stop"] = client.delete(url, params={"operationId": "s1"}, headers=token_header).status_code
        got["s1-complete"].wait(10)
        # A stop sent to no stream is 404 (as POST and GET with that token).
        seen["stopUnknownToken"] = client.delete(url, params={"operationId": "s1"}, headers={"x-graphql-event-stream-token": "nope"}).status_code
        listener.join(10)
    seen["events"] = events
    print(json.dumps(seen, separators=(",", ":")), flush=True)
    print("done", flush=True)


try:
    main(sys.argv[1], sys.argv[2], sys.argv[3])
except Exception as e:  # the test reads this line
    print("error: %s: %s" % (type(e).__name__, e), flush=True)
