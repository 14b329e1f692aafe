"""gunicorn's gthread worker, stamping when each request reached it (eduapp/request_time.py).

A busy gthread worker accepts a connection (or sees a kept-alive one become readable) at once, then
queues it until one of its threads is free: on an overloaded exam day that wait is seconds, and the
app's own WSGI middleware only sees the request when a thread takes it. This worker notes the time a
request is queued and hands it to the app's ArrivalStamp (through the handling thread), so an answer
that reached us before the deadline is judged by that time. Use it as ``--worker-class
eduapp.gunicorn_worker.ArrivalThreadWorker`` (Dockerfile, docker-compose.yml); any other server or
worker class still gets the middleware's stamp.
"""

from __future__ import annotations

import time

from gunicorn.workers.gthread import ThreadWorker

from eduapp.request_time import server_stamp


class ArrivalThreadWorker(ThreadWorker):
    def enqueue_req(self, conn):
        conn.eduapp_queued_at = time.time()
        super().enqueue_req(conn)

    def handle_request(self, req, conn):
        server_stamp.queued_at = getattr(conn, "eduapp_queued_at", None)
        try:
            return super().handle_request(req, conn)
        finally:
            server_stamp.queued_at = None
