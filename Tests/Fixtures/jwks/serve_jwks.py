"""Serves a JWKS file as an identity provider would (GET /jwks.json, read from disk on every
request, so a test can rotate keys by rewriting it); GET /count answers how many times the JWKS
was fetched. Prints its port first.

    python3 serve_jwks.py PATH_TO_JWKS_JSON
"""
import json
import signal
import sys
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

FETCHES = {"n": 0}
LOCK = threading.Lock()


class Handler(BaseHTTPRequestHandler):
    def do_GET(self):
        if self.path == "/jwks.json":
            with LOCK:
                FETCHES["n"] += 1
            body = open(sys.argv[1], "rb").read()
        elif self.path == "/count":
            with LOCK:
                body = json.dumps(FETCHES).encode()
        else:
            self.send_response(404)
            self.end_headers()
            return
        self.send_response(200)
        self.send_header("content-type", "application/json")
        self.send_header("content-length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args):
        pass


if __name__ == "__main__":
    signal.pthread_sigmask(signal.SIG_UNBLOCK, [signal.SIGTERM, signal.SIGINT])
    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    print(server.server_address[1], flush=True)
    server.serve_forever()
