"""A subgraph that answers every request with one HTTP status and body, for Switchyard's tests of
subgraph failures: it prints its port, then serves until stopped.

    python3 status_subgraph.py STATUS BODY [trickle | barrier N | location URL]

With `trickle`, the head goes at once and the body a byte every 0.1 s. With `barrier N`, no
request is answered until N are in flight at once (then they all are, and so on). With
`location URL`, the answer carries `Location: URL` (a redirect). Prints "request" for each.
"""
import signal
import sys
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

signal.pthread_sigmask(signal.SIG_UNBLOCK, [signal.SIGTERM, signal.SIGINT])
status, body = int(sys.argv[1]), sys.argv[2].encode()
mode = sys.argv[3] if len(sys.argv) > 3 else None
trickle = mode == "trickle"
barrier = threading.Barrier(int(sys.argv[4])) if mode == "barrier" else None
location = sys.argv[4] if mode == "location" else None


class Handler(BaseHTTPRequestHandler):
    def do_POST(self):
        self.rfile.read(int(self.headers.get("content-length", "0")))
        print("request", flush=True)
        if barrier:
            barrier.wait()
        self.send_response(status)
        if location:
            self.send_header("location", location)
        self.send_header("content-type", "application/json")
        self.send_header("content-length", str(len(body)))
        self.end_headers()
        if not trickle:
            self.wfile.write(body)
            return
        try:
            for b in body:
                self.wfile.write(bytes([b]))
                self.wfile.flush()
                time.sleep(0.1)
        except OSError:
            pass

    def log_message(self, *args):
        pass


server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
print(server.server_address[1], flush=True)
server.serve_forever()
