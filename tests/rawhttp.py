"""Raw HTTP/1.1 over a socket, for what a well-behaved client library will not send."""

from __future__ import annotations

import json
import socket
from typing import Any

from tests.conftest import Server


def exchange(server: Server, request: bytes, timeout: float = 10) -> bytes:
    """Send ``request`` on a raw socket and read until the server closes it."""
    with socket.create_connection(("127.0.0.1", server.port), timeout=timeout) as s:
        s.sendall(request)
        chunks = []
        while chunk := s.recv(65536):
            chunks.append(chunk)
    return b"".join(chunks)


def problem(raw: bytes, status: int) -> dict[str, Any]:
    head, _, body = raw.partition(b"\r\n\r\n")
    assert head.startswith(f"HTTP/1.1 {status} ".encode()), head[:200]
    assert b"content-type: application/problem+json" in head.lower()
    doc: dict[str, Any] = json.loads(body)
    assert doc["status"] == status and doc["detail"]
    return doc
