"""A subgraph that reads a request and never answers, for Switchyard's cancellation test: it
prints its port, then "request" when a request has arrived and "closed" when the gateway
closes that connection.

    python3 silent_subgraph.py PORT
"""
import signal
import socket
import sys

signal.pthread_sigmask(signal.SIG_UNBLOCK, [signal.SIGTERM, signal.SIGINT])
server = socket.socket()
server.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
server.bind(("127.0.0.1", int(sys.argv[1])))
server.listen(16)
print(server.getsockname()[1], flush=True)
while True:
    conn, _ = server.accept()
    data = b""
    while b"\r\n\r\n" not in data:
        chunk = conn.recv(65536)
        if not chunk:
            break
        data += chunk
    if b"\r\n\r\n" not in data:
        conn.close()
        continue
    print("request", flush=True)
    # Never answer; wait for the other side to close.
    while conn.recv(65536):
        pass
    print("closed", flush=True)
    conn.close()
