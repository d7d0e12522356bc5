"""The HTTP side: a threaded loopback server that hands each request to the gateway."""

from __future__ import annotations

import contextlib
import email.utils
import http.server
import logging
import threading
import uuid
from collections.abc import Iterator
from typing import Any

from lambdash.local._gateway import LocalGateway
from lambdash.local._model import HTTPRequest

__all__ = ["GatewayServer", "serve_in_thread"]

logger = logging.getLogger("lambdash.local")


class _Handler(http.server.BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    # Headers and body leave in one send when they fit the buffer, and nothing waits for an ACK:
    # with Nagle's algorithm on, a body written after its headers sat out the client's delayed
    # ACK, 40 ms per response on a keep-alive connection.
    wbufsize = 64 * 1024
    disable_nagle_algorithm = True
    server: GatewayServer

    def handle_expect_100(self) -> bool:
        answered = super().handle_expect_100()
        # The client holds the body back until this interim response arrives, so it cannot
        # wait in the buffer for the final one.
        self.wfile.flush()
        return answered

    def _serve(self) -> None:
        length = self.headers.get("Content-Length")
        if self.headers.get("Transfer-Encoding", "").lower() == "chunked":
            self.send_error(411, "Length Required")
            return
        body = self.rfile.read(int(length)) if length and length.isdigit() else b""
        _host, port = self.server.server_address[:2]
        request = HTTPRequest(
            method=self.command,
            target=self.path,
            headers=list(self.headers.items()),
            body=body,
            client_ip=self.client_address[0],
            scheme="http",
            port=int(port),
        )
        response = self.server.gateway.handle(request)
        self.send_response_only(response.status)
        for name, value in response.headers:
            self.send_header(name, value)
        self.send_header("Content-Length", str(len(response.body)))
        self.send_header("Date", email.utils.formatdate(usegmt=True))
        self.send_header("x-amzn-RequestId", str(uuid.uuid4()))
        self.end_headers()
        if self.command != "HEAD":
            self.wfile.write(response.body)
        self.log_request(response.status, len(response.body))

    do_GET = do_POST = do_PUT = do_PATCH = do_DELETE = do_HEAD = do_OPTIONS = _serve

    def log_message(self, format: str, *args: Any) -> None:
        logger.info("%s - %s", self.address_string(), format % args)


class GatewayServer(http.server.ThreadingHTTPServer):
    """A threaded server: browsers open several connections and keep them alive."""

    daemon_threads = True
    # socketserver's default backlog of 5 overflows when a page's scripts are fetched at once
    # while the accepting thread waits for the GIL; the kernel then drops the SYN, and the
    # client retries it a whole second later. 128 is what Werkzeug's server uses.
    request_queue_size = 128

    def __init__(
        self, gateway: LocalGateway, *, host: str = "127.0.0.1", port: int = 3000
    ) -> None:
        self.gateway = gateway
        super().__init__((host, port), _Handler)

    @property
    def base_url(self) -> str:
        """The URL of the app: the server's address plus the stage or base path."""
        host, port = self.server_address[:2]
        return f"http://{host!s}:{port}{self.gateway.config.url_prefix}/"


@contextlib.contextmanager
def serve_in_thread(
    gateway: LocalGateway, *, host: str = "127.0.0.1", port: int = 0
) -> Iterator[GatewayServer]:
    """Run *gateway* on a loopback port in a background thread for the ``with`` block."""
    server = GatewayServer(gateway, host=host, port=port)
    thread = threading.Thread(
        target=server.serve_forever, name="lambdash-gateway", daemon=True
    )
    thread.start()
    try:
        yield server
    finally:
        server.shutdown()
        server.server_close()
        thread.join(timeout=5)
