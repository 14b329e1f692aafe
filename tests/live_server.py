"""A real HTTP stack for tests that need more than the test client: the app under werkzeug's threaded
WSGI server, and a tiny reverse proxy that forwards to it the way deploy/nginx-scaled.conf does
(``X-Forwarded-For $proxy_add_x_forwarded_for``, ``X-Forwarded-Proto``, ``Host``)."""

from __future__ import annotations

import http.client
import threading
from contextlib import contextmanager
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

from werkzeug.serving import make_server

HOP_BY_HOP = {"connection", "keep-alive", "transfer-encoding", "te", "trailer", "upgrade",
              "proxy-authorization", "proxy-authenticate"}


@contextmanager
def serving(server):
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield server.server_address[1]
    finally:
        server.shutdown()
        server.server_close()
        thread.join(5)


@contextmanager
def wsgi_server(app):
    """Serve ``app`` on 127.0.0.1 (a free port); yields the port."""
    with serving(make_server("127.0.0.1", 0, app, threaded=True)) as port:
        yield port


def _proxy_handler(upstream_port: int):
    class Proxy(BaseHTTPRequestHandler):
        def _forward(self):
            length = int(self.headers.get("Content-Length") or 0)
            body = self.rfile.read(length) if length else None
            headers = {k: v for k, v in self.headers.items() if k.lower() not in HOP_BY_HOP}
            seen = self.headers.get("X-Forwarded-For")
            headers["X-Forwarded-For"] = f"{seen}, {self.client_address[0]}" if seen else self.client_address[0]
            headers["X-Forwarded-Proto"] = "http"
            upstream = http.client.HTTPConnection("127.0.0.1", upstream_port, timeout=30)
            try:
                upstream.request(self.command, self.path, body=body, headers=headers)
                answer = upstream.getresponse()
                payload = answer.read()
            finally:
                upstream.close()
            self.send_response(answer.status)
            for key, value in answer.getheaders():
                if key.lower() not in HOP_BY_HOP and key.lower() != "content-length":
                    self.send_header(key, value)
            self.send_header("Content-Length", str(len(payload)))
            self.end_headers()
            self.wfile.write(payload)

        do_GET = do_POST = _forward

        def log_message(self, *args):
            pass

    return Proxy


@contextmanager
def reverse_proxy(upstream_port: int):
    """A reverse proxy on 127.0.0.1 (a free port) in front of ``upstream_port``; yields its port."""
    with serving(ThreadingHTTPServer(("127.0.0.1", 0), _proxy_handler(upstream_port))) as port:
        yield port


def request(port: int, method: str, path: str, *, source: str = "127.0.0.1", body: str | None = None,
            headers: dict | None = None) -> tuple[int, str]:
    """One request to 127.0.0.1:``port`` sent from the local address ``source`` (any 127.x.y.z)."""
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30, source_address=(source, 0))
    try:
        conn.request(method, path, body=body, headers=headers or {})
        answer = conn.getresponse()
        return answer.status, answer.read().decode("utf-8", "replace")
    finally:
        conn.close()
