"""Errors the domain raises; each carries the HTTP status the API answers with."""

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
