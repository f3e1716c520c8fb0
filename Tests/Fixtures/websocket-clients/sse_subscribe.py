"""Subscribes over Server-Sent Events (GraphQL over SSE, distinct connections mode) with httpx and
httpx-sse (PyPI): POST {"query": QUERY} with Accept: text/event-stream. Prints "ready" once the
response headers arrived (status 200), then each `next` event's data as one JSON line ("error: ..."
for a payload with errors), then "done" on `complete`; "error: TYPE: MESSAGE" on any exception.

    python3 sse_subscribe.py URL QUERY [HEADERS_JSON]
"""
import json
import signal
import sys

import httpx
from httpx_sse import connect_sse

signal.pthread_sigmask(signal.SIG_UNBLOCK, [signal.SIGTERM, signal.SIGINT])


def main(url, query, extra_headers):
    headers = {"accept": "text/event-stream", "content-type": "application/json"}
    headers.update(extra_headers)
    # No read timeout: a subscription may stay quiet for long.
    timeout = httpx.Timeout(10.0, read=None)
    with httpx.Client(timeout=timeout) as client:
        with connect_sse(client, "POST", url, json={"query": query}, headers=headers) as source:
            response = source.response
            if response.status_code != 200:
                response.read()
                raise RuntimeError("HTTP %d: %s" % (response.status_code, response.text))
            print("ready", flush=True)
            for event in source.iter_sse():
                if event.event == "next":
                    payload = json.loads(event.data)
                    if payload.get("errors"):
                        print("error: %s" % json.dumps(payload["errors"], separators=(",", ":")), flush=True)
                    else:
                        print(json.dumps(payload.get("data"), separators=(",", ":")), flush=True)
                elif event.event == "complete":
                    print("done", flush=True)
                    return
    raise RuntimeError("the stream ended without a complete event")


try:
    main(sys.argv[1], sys.argv[2], json.loads(sys.argv[3]) if len(sys.argv) > 3 else {})
except Exception as e:  # the test reads this line
    print("error: %s: %s" % (type(e).__name__, e), flush=True)
