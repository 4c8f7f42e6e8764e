"""application/problem+json (RFC 9457): the one shape of every error answer, built here."""

from __future__ import annotations

from typing import Any

from starlette.responses import Response

from ..codec import dumps
from ..domain.errors import DomainError, Unavailable

PROBLEM_TYPE = "application/problem+json"


class Problem(Exception):
    """An HTTP error answered as application/problem+json."""

    def __init__(
        self,
        status: int,
        title: str,
        detail: str = "",
        errors: list[dict[str, str]] | None = None,
        headers: dict[str, str] | None = None,
        reason: str | None = None,
    ) -> None:
        super().__init__(detail or title)
        self.reason = reason  # a short label for metrics
        self.status = status
        self.title = title
        self.detail = detail
        self.errors = errors
        self.headers = headers or {}

    def body(self) -> dict[str, Any]:
        out: dict[str, Any] = {
            "type": f"https://tourney.invalid/problems/{self.status}",
            "title": self.title,
            "status": self.status,
            "detail": self.detail or self.title,
        }
        if self.errors:
            out["errors"] = self.errors
        return out

    def encode(self) -> bytes:
        return dumps(self.body())


def problem_response(p: Problem) -> Response:
    return Response(p.encode(), p.status, p.headers, media_type=PROBLEM_TYPE)


def from_exception(exc: Exception) -> Problem | None:
    """The answer to an error a handler may meet (a Problem, or a DomainError), else None."""
    if isinstance(exc, Problem):
        return exc
    if isinstance(exc, DomainError):
        headers = {"Retry-After": str(exc.retry_after)} if isinstance(exc, Unavailable) else None
        return Problem(exc.status, exc.title, exc.detail, exc.errors or None, headers)
    return None
