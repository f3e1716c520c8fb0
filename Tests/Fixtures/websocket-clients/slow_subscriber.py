"""A deliberately slow graphql-transport-ws subscriber on a raw socket (standard library only), to
make a server's outbound buffers fill up. With a small receive buffer it upgrades, sends
connection_init ({"x-tenant": TENANT}), waits for connection_ack, subscribes (id "1") and prints
"subscribed"; then it reads nothing until a line arrives on stdin (or, when stdin is not usable,
until the file STOP_FILE exists). Then it reads all that comes until the connection closes (30 s at
most) and prints "next N" (how many `next` messages arrived), then "closed CODE REASON" for the
server's close frame ("closed none" if the TCP connection ended without one, "timeout" after 30 s),
then "finished". "error: TYPE: MESSAGE" on a failure before that. With COUNT it subscribes COUNT
times (ids "1".."COUNT"); with PAD the operations get the variable `pad`, a string of PAD letters.

    python3 slow_subscriber.py WS_URL QUERY TENANT [STOP_FILE [COUNT [PAD]]]
"""
import base64
import hashlib
import json
import os
import select
import signal
import socket
import struct
import sys
import time
import urllib.parse

signal.pthread_sigmask(signal.SIG_UNBLOCK, [signal.SIGTERM, signal.SIGINT])
PROTOCOL = "graphql-transport-ws"
RECEIVE_BUFFER = 4096
READ_WINDOW = 30.0


class Closed(Exception):
    """The TCP connection ended."""


class Connection:
    def __init__(self, url):
        u = urllib.parse.urlsplit(url)
        if u.scheme != "ws":
            raise ValueError("only ws:// URLs are supported")
        host, port = u.hostname, u.port or 80
        self.sock = socket.socket(socket.AF_INET6 if ":" in host else socket.AF_INET, socket.SOCK_STREAM)
        # Before connect, so that the window offered in the handshake is already small.
        self.sock.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, RECEIVE_BUFFER)
        self.sock.settimeout(30)
        self.sock.connect((host, port))
        self.buffer = b""
        self.deadline = None  # monotonic time after which a read raises socket.timeout
        key = base64.b64encode(os.urandom(16)).decode()
        path = (u.path or "/") + ("?" + u.query if u.query else "")
        self.sock.sendall((
            "GET %s HTTP/1.1\r\nHost: %s:%d\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
            "Sec-WebSocket-Key: %s\r\nSec-WebSocket-Version: 13\r\nSec-WebSocket-Protocol: %s\r\n\r\n"
            % (path, host, port, key, PROTOCOL)).encode())
        while b"\r\n\r\n" not in self.buffer:
            self.fill()
        head, self.buffer = self.buffer.split(b"\r\n\r\n", 1)
        lines = head.decode("latin-1").split("\r\n")
        if lines[0].split(" ")[1:2] != ["101"]:
            raise RuntimeError("upgrade refused: %s" % lines[0])
        fields = {}
        for line in lines[1:]:
            name, _, value = line.partition(":")
            fields[name.strip().lower()] = value.strip()
        expected = base64.b64encode(hashlib.sha1(
            (key + "258EAFA5-E914-47DA-95CA-C5AB0DC85B11").encode()).digest()).decode()
        if fields.get("sec-websocket-accept") != expected:
            raise RuntimeError("bad Sec-WebSocket-Accept")
        if fields.get("sec-websocket-protocol") != PROTOCOL:
            raise RuntimeError("subprotocol not accepted: %r" % fields.get("sec-websocket-protocol"))

    def fill(self):
        if self.deadline is not None:
            left = self.deadline - time.monotonic()
            if left <= 0:
                raise socket.timeout()
            self.sock.settimeout(left)
        chunk = self.sock.recv(65536)
        if not chunk:
            raise Closed()
        self.buffer += chunk

    def take(self, n):
        while len(self.buffer) < n:
            self.fill()
        out, self.buffer = self.buffer[:n], self.buffer[n:]
        return out

    def frame(self):
        """One frame: (fin, opcode, payload); Closed at the end of the stream. No fragmentation."""
        b0, b1 = self.take(2)
        length = b1 & 0x7F
        if length == 126:
            length = struct.unpack("!H", self.take(2))[0]
        elif length == 127:
            length = struct.unpack("!Q", self.take(8))[0]
        mask = self.take(4) if b1 & 0x80 else None
        payload = self.take(length)
        if mask:
            payload = bytes(c ^ mask[i % 4] for i, c in enumerate(payload))
        return bool(b0 & 0x80), b0 & 0x0F, payload

    def send(self, opcode, payload):
        header = bytes([0x80 | opcode])
        n = len(payload)
        if n < 126:
            header += bytes([0x80 | n])
        elif n < 1 << 16:
            header += bytes([0x80 | 126]) + struct.pack("!H", n)
        else:
            header += bytes([0x80 | 127]) + struct.pack("!Q", n)
        mask = os.urandom(4)
        # XOR as one big integer (a byte at a time took seconds for a few megabytes).
        key = int.from_bytes((mask * (n // 4 + 1))[:n], "big")
        masked = (int.from_bytes(payload, "big") ^ key).to_bytes(n, "big") if n else b""
        self.sock.sendall(header + mask + masked)

    def send_json(self, message):
        self.send(0x1, json.dumps(message).encode())

    def message(self):
        """The next data message as JSON, answering pings; ("close", code, reason) for a close frame."""
        while True:
            _, opcode, payload = self.frame()
            if opcode == 0x9:
                self.send(0xA, payload)
            elif opcode == 0x8:
                code = struct.unpack("!H", payload[:2])[0] if len(payload) >= 2 else None
                return ("close", code, payload[2:].decode("utf-8", "replace"))
            elif opcode in (0x1, 0x2):
                return json.loads(payload)


def wait_for_go(stop_file):
    """Blocks until a line on stdin, or (stdin closed or not usable) until stop_file exists."""
    try:
        line = sys.stdin.readline()
        if line:
            return
    except (OSError, ValueError, AttributeError):
        pass
    if not stop_file:
        raise RuntimeError("stdin is not usable and no STOP_FILE was given")
    while not os.path.exists(stop_file):
        time.sleep(0.05)


def main(url, query, tenant, stop_file, count=1, pad=None):
    c = Connection(url)
    c.send_json({"type": "connection_init", "payload": {"x-tenant": tenant}})
    m = c.message()
    if not isinstance(m, dict) or m.get("type") != "connection_ack":
        raise RuntimeError("expected connection_ack, got %r" % (m,))
    payload = {"query": query}
    if pad is not None:
        payload["variables"] = {"pad": "x" * pad}
    for i in range(count):
        c.send_json({"id": str(i + 1), "type": "subscribe", "payload": payload})
    print("subscribed", flush=True)

    wait_for_go(stop_file)

    nexts, outcome = 0, None
    c.deadline = time.monotonic() + READ_WINDOW
    try:
        while outcome is None:
            try:
                m = c.message()
            except socket.timeout:
                outcome = "timeout"
                break
            if isinstance(m, tuple):
                code, reason = m[1], m[2]
                try:
                    c.send(0x8, struct.pack("!H", code) if code is not None else b"")
                except OSError:
                    pass
                outcome = "closed %s %s" % (code if code is not None else 1005, reason)
            elif m.get("type") == "next":
                nexts += 1
            elif m.get("type") == "ping":
                c.send_json({"type": "pong"})
    except (Closed, ConnectionResetError):
        outcome = "closed none"
    print("next %d" % nexts, flush=True)
    print(outcome.rstrip(), flush=True)
    c.sock.close()


try:
    main(sys.argv[1], sys.argv[2], sys.argv[3], sys.argv[4] if len(sys.argv) > 4 and sys.argv[4] else None,
         int(sys.argv[5]) if len(sys.argv) > 5 else 1, int(sys.argv[6]) if len(sys.argv) > 6 else None)
except Exception as e:  # the test reads this line
    print("error: %s: %s" % (type(e).__name__, e), flush=True)
print("finished", flush=True)
