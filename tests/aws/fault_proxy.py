"""A loopback HTTP proxy in front of the moto server that answers some calls with AWS errors.

``decide(call)`` sees each call (its region, from the SigV4 credential scope, and its
operation, from X-Amz-Target or the query Action) and returns an :class:`Answer` to
send instead of forwarding, or None to forward the call to the server unchanged.
"""

from __future__ import annotations

import http.client
import json
import re
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs, urlsplit

_SCOPE = re.compile(r"Credential=[^/]+/\d{8}/([^/]+)/([^/]+)/")


@dataclass(frozen=True)
class Call:
    """One request the proxy received."""

    region: str
    service: str
    operation: str
    body: bytes

    @property
    def action(self) -> str:
        """The IAM action, e.g. ``sagemaker:ListTags``."""
        return f"{self.service}:{self.operation}"


@dataclass(frozen=True)
class Answer:
    """An error answer in the JSON protocol's shape, or with ``body`` a successful one
    (for a call moto does not implement, in the shape botocore's model gives it)."""

    status: int
    code: str
    message: str
    body: dict[str, object] | None = None


Decide = Callable[[Call], "Answer | None"]


@contextmanager
def fault_proxy(upstream: str, decide: Decide) -> Iterator[str]:
    """Run the proxy on a free 127.0.0.1 port for the block; yields its URL."""
    target = urlsplit(upstream)
    lock = threading.Lock()

    class Handler(BaseHTTPRequestHandler):
        def do_POST(self) -> None:
            body = self.rfile.read(int(self.headers.get("Content-Length", "0")))
            region, service = _scope(self.headers.get("Authorization", ""))
            call = Call(region, service, _operation(self, body), body)
            with lock:
                answer = decide(call)
            if answer is not None:
                error = {"__type": answer.code, "message": answer.message}
                payload = json.dumps(error if answer.body is None else answer.body).encode()
                self.send_response(answer.status)
                self.send_header("Content-Type", "application/x-amz-json-1.1")
                if answer.body is None:
                    self.send_header("x-amzn-ErrorType", answer.code)
                self.send_header("Content-Length", str(len(payload)))
                self.end_headers()
                self.wfile.write(payload)
                return
            connection = http.client.HTTPConnection(target.hostname, target.port, timeout=60)
            headers = {key: value for key, value in self.headers.items() if key != "Host"}
            connection.request("POST", self.path, body, headers)
            response = connection.getresponse()
            data = response.read()
            self.send_response(response.status)
            for key, value in response.getheaders():
                if key.lower() not in {"transfer-encoding", "connection", "content-length"}:
                    self.send_header(key, value)
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            self.wfile.write(data)
            connection.close()

        def log_message(self, format: str, *args: object) -> None:
            """Quiet: the tests read the report, not the proxy's log."""

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}"
    finally:
        server.shutdown()
        server.server_close()


def _scope(authorization: str) -> tuple[str, str]:
    """The region and service of a SigV4 Authorization header."""
    match = _SCOPE.search(authorization)
    return (match.group(1), match.group(2)) if match else ("", "")


def _operation(handler: BaseHTTPRequestHandler, body: bytes) -> str:
    target = handler.headers.get("X-Amz-Target")
    if target:
        return target.rpartition(".")[2]
    action = parse_qs(body.decode("utf-8", "replace")).get("Action", [""])
    return action[0]
