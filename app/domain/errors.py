"""The errors a handler maps to an answer; each carries its HTTP status. The domain raises the
first four; ``Forbidden`` is the API's, ``Unavailable`` the pipeline's."""

from __future__ import annotations


class DomainError(Exception):
    """A refused command. ``status`` is the HTTP status, ``errors`` the per-field details."""

    status = 422
    title = "Invalid request"

    def __init__(self, detail: str, errors: list[dict[str, str]] | None = None) -> None:
        super().__init__(detail)
        self.detail = detail
        self.errors = errors or []


class Invalid(DomainError):
    """The fields are wrong (422)."""

    status = 422
    title = "Invalid fields"

    @classmethod
    def field(cls, field: str, message: str) -> Invalid:
        return cls(f"{field}: {message}", [{"field": field, "message": message}])


class Conflict(DomainError):
    """The tournament's state forbids it (409)."""

    status = 409
    title = "Conflict with the tournament's state"


class NotFound(DomainError):
    """No such tournament, participant or match (404)."""

    status = 404
    title = "Not found"


class Forbidden(DomainError):
    """The caller's token lacks the right (403)."""

    status = 403
    title = "Forbidden"


class Unavailable(DomainError):
    """The event pipeline cannot take a write now (503 with Retry-After)."""

    status = 503
    title = "Service unavailable"

    def __init__(self, reason: str, retry_after: int) -> None:
        super().__init__(reason)
        self.reason = reason
        self.retry_after = retry_after
