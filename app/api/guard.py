"""The door: rate limits per client address and per token, security headers on every answer.

Token buckets in memory: each key refills at ``rate`` per second up to ``burst``; a request that
finds its bucket empty gets 429 with Retry-After. Idle buckets are forgotten, so a flood of
addresses costs bounded memory.
"""

from __future__ import annotations

import hashlib
import math
import time

from starlette.types import ASGIApp, Message, Receive, Scope, Send

from ..config import ServerConfig
from .problem import Problem

EXEMPT = ("/healthz", "/readyz", "/metrics", "/static/")
MAX_BUCKETS = 100_000

# The pages load only from this server; the viewer (/t/...) may be framed anywhere, and takes
# styles injected at run time: OBS's browser source applies its "Custom CSS" box as a <style>
# element added to the page, which 'self' alone refuses. Scripts stay 'self' on every page.
PAGE_CSP = (
    "default-src 'self'; connect-src 'self' ws: wss:; img-src 'self' data:; style-src {styles};"
    " script-src 'self'; object-src 'none'; base-uri 'none'; form-action 'self';"
    " frame-ancestors {framing}"
)
VIEWER_CSP = PAGE_CSP.format(styles="'self' 'unsafe-inline'", framing="*")
OTHER_CSP = PAGE_CSP.format(styles="'self'", framing="'none'")
COMMON_HEADERS = [
    (b"x-content-type-options", b"nosniff"),
    (b"referrer-policy", b"no-referrer"),
]


class Buckets:
    def __init__(self, rate: float, burst: float) -> None:
        self.rate = rate
        self.burst = max(burst, 1.0)
        self.state: dict[str, tuple[float, float]] = {}  # key -> (tokens, last refill)

    def take(self, key: str, now: float) -> float:
        """0 if allowed, else the seconds until a token is there."""
        tokens, last = self.state.get(key, (self.burst, now))
        tokens = min(self.burst, tokens + (now - last) * self.rate)
        if tokens < 1:
            self.state[key] = (tokens, now)
            return (1 - tokens) / self.rate
        self.state[key] = (tokens - 1, now)
        if len(self.state) > MAX_BUCKETS:
            self.forget(now)
        return 0.0

    def forget(self, now: float) -> None:
        """Drop buckets that are full again (idle long enough): they hold no information."""
        full_after = self.burst / self.rate
        self.state = {k: v for k, v in self.state.items() if now - v[1] < full_after}


class Guard:
    def __init__(self, app: ASGIApp, cfg: ServerConfig) -> None:
        self.app = app
        burst = cfg.rate_limit_burst_seconds
        a, t = cfg.rate_limit_per_address, cfg.rate_limit_per_token
        self.by_address = Buckets(a, a * burst) if a > 0 else None
        self.by_token = Buckets(t, t * burst) if t > 0 else None

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        path: str = scope["path"]
        if not path.startswith(EXEMPT):
            wait = self.limit(scope)
            if wait:
                await too_many(send, wait)
                return
        page = not path.startswith(("/api/", "/openapi.json", "/metrics"))

        async def with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                headers = list(message.get("headers", []))
                headers += COMMON_HEADERS
                if page:
                    csp = VIEWER_CSP if path.startswith("/t/") else OTHER_CSP
                    headers.append((b"content-security-policy", csp.encode()))
                message = {**message, "headers": headers}
            await send(message)

        await self.app(scope, receive, with_headers)

    def limit(self, scope: Scope) -> float:
        now = time.monotonic()
        if self.by_address is not None:
            client = scope.get("client") or ("",)
            wait = self.by_address.take(str(client[0]), now)
            if wait:
                return wait
        if self.by_token is not None and scope["method"] in ("POST", "PATCH", "PUT", "DELETE"):
            token = bearer(scope)
            if token:
                # keyed by a digest: the token itself is kept nowhere
                return self.by_token.take(hashlib.sha256(token).hexdigest(), now)
        return 0.0


def bearer(scope: Scope) -> bytes | None:
    for name, value in scope.get("headers", []):
        if name == b"authorization" and value[:7].lower() == b"bearer ":
            return bytes(value[7:].strip())
    return None


async def too_many(send: Send, wait: float) -> None:
    retry = max(1, math.ceil(wait))
    body = Problem(429, "Too many requests", f"rate limited: retry in {retry} s").encode()
    await send({
        "type": "http.response.start", "status": 429,
        "headers": [(b"content-type", b"application/problem+json"),
                    (b"retry-after", str(retry).encode()),
                    (b"content-length", str(len(body)).encode()), *COMMON_HEADERS],
    })  # fmt: skip
    await send({"type": "http.response.body", "body": body})
