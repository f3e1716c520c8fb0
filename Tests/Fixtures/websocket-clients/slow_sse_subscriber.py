"""A deliberately slow GraphQL-over-SSE subscriber (distinct connections mode) on a raw socket
(standard library only), to make a server's outbound buffers fill up. With a small receive buffer
it POSTs the subscription with `Accept: text/event-stream` and header `x-tenant: TENANT`, reads the
response head and prints "subscribed"; then it reads nothing until the file STOP_FILE exists. Then
it reads all that comes until the connection ends (30 s at most) and prints "next N" (how many
`next` events arrived whole), "too-slow yes|no" (whether one carried SUBSCRIBER_TOO_SLOW),
"complete yes|no" (whether the `complete` event came) and "ended eof|reset|timeout|complete" (how
reading stopped: the connection ended, or the `complete` event came — the connection may stay), then
"finished". "error: TYPE: MESSAGE" on a failure before that.

    python3 slow_sse_subscriber.py HTTP_URL QUERY TENANT STOP_FILE
"""
import json
import os
import signal
import socket
import sys
import time
import urllib.parse

signal.pthread_sigmask(signal.SIG_UNBLOCK, [signal.SIGTERM, signal.SIGINT])
RECEIVE_BUFFER = 4096
READ_WINDOW = 30.0


def main():
    url, query, tenant, stop = sys.argv[1:5]
    u = urllib.parse.urlsplit(url)
    host, port = u.hostname, u.port or 80
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, RECEIVE_BUFFER)
    sock.settimeout(30)
    sock.connect((host, port))
    body = json.dumps({"query": query}).encode()
    sock.sendall((
        "POST %s HTTP/1.1\r\nHost: %s:%d\r\nContent-Type: application/json\r\nAccept: text/event-stream\r\n"
        "x-tenant: %s\r\nContent-Length: %d\r\n\r\n" % (u.path or "/", host, port, tenant, len(body))).encode() + body)
    data = b""
    while b"\r\n\r\n" not in data:
        chunk = sock.recv(4096)
        if not chunk:
            raise RuntimeError("the connection ended before the response head")
        data += chunk
    head = data.split(b"\r\n\r\n", 1)[0].decode("latin-1")
    if head.split(" ")[1:2] != ["200"]:
        raise RuntimeError("refused: %s" % head.splitlines()[0])
    print("subscribed", flush=True)
    while not os.path.exists(stop):
        time.sleep(0.05)
    ended = "timeout"
    deadline = time.monotonic() + READ_WINDOW
    while time.monotonic() < deadline:
        sock.settimeout(max(0.1, deadline - time.monotonic()))
        try:
            chunk = sock.recv(65536)
        except socket.timeout:
            break
        except ConnectionResetError:
            ended = "reset"
            break
        if not chunk:
            ended = "eof"
            break
        data += chunk
        if b"event: complete" in data:
            ended = "complete"
            break
    text = data.split(b"\r\n\r\n", 1)[1].decode("utf-8", "replace")
    # The body is chunked: whole events are those whose payload line ends before a blank line.
    nexts = text.count("event: next\r\ndata:") + text.count("event: next\ndata:")
    print("next %d" % nexts, flush=True)
    print("too-slow " + ("yes" if "SUBSCRIBER_TOO_SLOW" in text else "no"), flush=True)
    print("complete " + ("yes" if "event: complete" in text else "no"), flush=True)
    print("ended " + ended, flush=True)
    print("finished", flush=True)


try:
    main()
except Exception as e:  # noqa: BLE001 - reported to the test
    print("error: %s: %s" % (type(e).__name__, e), flush=True)
