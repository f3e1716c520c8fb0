"""Clients of GraphQL over SSE's single connection mode that misbehave, on raw sockets (standard
library only).

    python3 sse_single_misbehaving.py reset BASE_URL COUNT
        COUNT times: reserve a stream (PUT /graphql/stream), open it (GET ?token=) and reset the
        connection at once (SO_LINGER 0), then open it again until the answer is not 409 (the
        stream still counted open; 10 s at most) and print that status: "404" once the reset
        stream's reservation is gone, "409" if it was kept. Then "finished".

    python3 sse_single_misbehaving.py stall BASE_URL COUNT PAD RELEASE_FILE
        Reserves a stream and opens it with a 4 KiB receive buffer, then reads nothing; posts COUNT
        operations `query($pad: String!) { a0: hello(name: $pad) ... a9: hello(name: $pad) }`
        (PAD letters each) to it, printing each POST's status, then "posted", and waits for
        RELEASE_FILE to exist; then it posts once more and prints that status ("after N"), then
        "finished".

"error: TYPE: MESSAGE" on a failure.
"""
import json
import os
import signal
import socket
import struct
import sys
import time
import urllib.parse

signal.pthread_sigmask(signal.SIG_UNBLOCK, [signal.SIGTERM, signal.SIGINT])


def address(base):
    u = urllib.parse.urlsplit(base)
    return u.hostname, u.port or 80


def request(base, method, path, headers=None, body=b""):
    """One request on a connection of its own: (status, body)."""
    host, port = address(base)
    s = socket.create_connection((host, port), timeout=30)
    try:
        head = "%s %s HTTP/1.1\r\nHost: %s:%d\r\nConnection: close\r\nContent-Length: %d\r\n" % (method, path, host, port, len(body))
        for k, v in (headers or {}).items():
            head += "%s: %s\r\n" % (k, v)
        s.sendall(head.encode() + b"\r\n" + body)
        data = b""
        while True:
            chunk = s.recv(65536)
            if not chunk:
                break
            data += chunk
        status = int(data.split(b" ", 2)[1])
        return status, data.split(b"\r\n\r\n", 1)[1] if b"\r\n\r\n" in data else b""
    finally:
        s.close()


def reserve(base):
    status, body = request(base, "PUT", "/graphql/stream")
    if status != 201:
        raise RuntimeError("reservation refused: %d %r" % (status, body[:200]))
    return body.decode().strip()


def open_stream(base, token, receive_buffer=None):
    host, port = address(base)
    s = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    if receive_buffer:
        s.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, receive_buffer)
    s.settimeout(30)
    s.connect((host, port))
    s.sendall(("GET /graphql/stream?token=%s HTTP/1.1\r\nHost: %s:%d\r\nAccept: text/event-stream\r\n\r\n"
               % (token, host, port)).encode())
    return s


def reset(base, count):
    for _ in range(count):
        token = reserve(base)
        s = open_stream(base, token)
        s.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
        s.close()
        deadline = time.monotonic() + 10
        while True:
            status, _ = probe(base, token)
            if status != 409 or time.monotonic() > deadline:
                break
            time.sleep(0.05)
        print(status, flush=True)
    print("finished", flush=True)


def probe(base, token):
    """Opens the stream again and reads only the status line (a 200 stream is closed at once)."""
    s = open_stream(base, token)
    try:
        data = b""
        while b"\r\n" not in data:
            chunk = s.recv(4096)
            if not chunk:
                break
            data += chunk
        return int(data.split(b" ", 2)[1]), data
    finally:
        s.close()


def stall(base, count, pad, release):
    token = reserve(base)
    s = open_stream(base, token, receive_buffer=4096)
    # The stream is open once its head comes (operations posted before would wait for it, within
    # a bound that refuses the second 4 MB result with 429).
    head = b""
    while b"\r\n\r\n" not in head:
        chunk = s.recv(1)
        if not chunk:
            raise RuntimeError("the stream closed before its head")
        head += chunk
    if not head.startswith(b"HTTP/1.1 200"):
        raise RuntimeError("stream not opened: %r" % head[:40])
    aliases = " ".join("a%d: hello(name: $pad)" % i for i in range(10))
    query = "query($pad: String!) { %s }" % aliases
    headers = {"Content-Type": "application/json", "X-GraphQL-Event-Stream-Token": token}
    for i in range(count):
        body = json.dumps({"query": query, "variables": {"pad": "x" * pad}, "extensions": {"operationId": "op%d" % i}}).encode()
        status, _ = request(base, "POST", "/graphql/stream", headers, body)
        print(status, flush=True)
    print("posted", flush=True)
    while not os.path.exists(release):
        time.sleep(0.02)
    body = json.dumps({"query": "{ hello }", "extensions": {"operationId": "after"}}).encode()
    status, _ = request(base, "POST", "/graphql/stream", headers, body)
    print("after %d" % status, flush=True)
    s.close()
    print("finished", flush=True)


try:
    mode, base = sys.argv[1], sys.argv[2].rstrip("/")
    if mode == "reset":
        reset(base, int(sys.argv[3]))
    elif mode == "stall":
        stall(base, int(sys.argv[3]), int(sys.argv[4]), sys.argv[5])
    else:
        raise ValueError("unknown mode " + mode)
except Exception as e:  # the test reads this line
    print("error: %s: %s" % (type(e).__name__, e), flush=True)
