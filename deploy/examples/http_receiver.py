#!/usr/bin/env python3
"""A local HTTP endpoint for the example API destination: prints every request it gets.

Usage: python3 deploy/examples/http_receiver.py [PORT]   (default 8080)
"""
import http.server
import sys


class Handler(http.server.BaseHTTPRequestHandler):
    def do_POST(self):
        body = self.rfile.read(int(self.headers.get("Content-Length", "0")))
        print(f"{self.command} {self.path} x-api-key={self.headers.get('x-api-key')} {body.decode()}",
              flush=True)
        self.send_response(200)
        self.end_headers()
        self.wfile.write(b"{}")

    def log_message(self, *args):
        pass


port = int(sys.argv[1]) if len(sys.argv) > 1 else 8080
http.server.ThreadingHTTPServer(("127.0.0.1", port), Handler).serve_forever()
