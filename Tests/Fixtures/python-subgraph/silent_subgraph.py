"""A subgraph that reads a request and never answers, for Switchyard's cancellation tests: it
prints its port, then "request" when a request has arrived and "closed" when the gateway
closes that connection. The gateway's readiness check (`{ __typename }` alone) is answered,
so a gateway process over it becomes ready.

    python3 silent_subgraph.py PORT
"""
import json
import signal
import socket
import sys
import threading

signal.pthread_sigmask(signal.SIG_UNBLOCK, [signal.SIGTERM, signal.SIGINT])
server = socket.socket()
server.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
server.bind(("127.0.0.1", int(sys.argv[1])))
server.listen(16)
print(server.getsockname()[1], flush=True)


def serve(conn):
    data = b""
    while True:
        while b"\r\n\r\n" not in data:
            chunk = conn.recv(65536)
            if not chunk:
                conn.close()
                return
            data += chunk
        head, _, data = data.partition(b"\r\n\r\n")
        length = 0
        for line in head.split(b"\r\n")[1:]:
            name, _, value = line.partition(b":")
            if name.strip().lower() == b"content-length":
                length = int(value.strip())
        while len(data) < length:
            chunk = conn.recv(65536)
            if not chunk:
                conn.close()
                return
            data += chunk
        body, data = data[:length], data[length:]
        try:
            query = json.loads(body).get("query", "")
        except ValueError:
            query = ""
        if query.replace(" ", "") == "{__typename}":
            answer = b'{"data":{"__typename":"Query"}}'
            conn.sendall(b"HTTP/1.1 200 OK\r\ncontent-type: application/json\r\ncontent-length: %d\r\n\r\n" % len(answer) + answer)
            continue
        print("request", flush=True)
        # Never answer; wait for the other side to close.
        while conn.recv(65536):
            pass
        print("closed", flush=True)
        conn.close()
        return


while True:
    conn, _ = server.accept()
    threading.Thread(target=serve, args=(conn,), daemon=True).start()
