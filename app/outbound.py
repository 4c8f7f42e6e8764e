"""Outgoing webhook requests: the Standard Webhooks signature, the guard that keeps them out of
the operator's own network, and one delivery attempt over HTTP (httpx).

The guard resolves the target's host before every attempt, refuses it if any address it
resolves to is private, loopback, link-local or otherwise not public (unless that network is
allowed by ``webhooks.allowed_networks``), and then connects to an address it checked: the URL
carries the address, the ``Host`` header and the TLS server name carry the host. So a name that
resolves to a public address when the endpoint is created and to 10.0.0.1 later (DNS
rebinding) is refused at delivery.
"""

from __future__ import annotations

import asyncio
import base64
import email.utils
import hashlib
import hmac
import ipaddress
import secrets
import socket
import time
from collections import OrderedDict
from dataclasses import dataclass
from datetime import UTC, datetime
from urllib.parse import urlsplit

import httpx

from .config import WebhooksConfig

Address = ipaddress.IPv4Address | ipaddress.IPv6Address
Network = ipaddress.IPv4Network | ipaddress.IPv6Network
SECRET_PREFIX = "whsec_"
USER_AGENT = "tourney-webhooks/1"
SNIPPET = 300  # bytes of an answer's body kept in the delivery log
MAX_CLIENTS = 64  # hosts whose connections are kept alive


def new_secret() -> str:
    """A Standard Webhooks secret: ``whsec_`` and 32 random bytes in base64."""
    return SECRET_PREFIX + base64.b64encode(secrets.token_bytes(32)).decode()


def sign(secret: str, msg_id: str, timestamp: int, body: bytes) -> str:
    """``v1,`` and the base64 HMAC-SHA256 of ``{msg_id}.{timestamp}.{body}`` under the secret's
    bytes (Standard Webhooks, "Signature scheme")."""
    key = base64.b64decode(secret.removeprefix(SECRET_PREFIX))
    mac = hmac.new(key, f"{msg_id}.{timestamp}.".encode() + body, hashlib.sha256).digest()
    return "v1," + base64.b64encode(mac).decode()


class Refused(Exception):
    """A target the guard will not send to (the reason is the message)."""


def networks(spec: str) -> tuple[Network, ...]:
    return tuple(ipaddress.ip_network(x.strip(), strict=False) for x in spec.split(",")
                 if x.strip())  # fmt: skip


@dataclass(frozen=True)
class Guard:
    allowed: tuple[Network, ...] = ()
    resolve_timeout: float = 5.0

    def permits(self, ip: Address) -> bool:
        if isinstance(ip, ipaddress.IPv6Address) and ip.ipv4_mapped is not None:
            ip = ip.ipv4_mapped
        if any(ip in net for net in self.allowed):
            return True
        return ip.is_global and not ip.is_multicast

    async def addresses(self, url: str) -> list[Address]:
        """Every address the URL's host resolves to, each one permitted; else ``Refused``."""
        parts = urlsplit(url)
        host = parts.hostname or ""
        try:
            found: list[Address] = [ipaddress.ip_address(host)]
        except ValueError:
            found = await self._resolve(host, parts.port or (443 if parts.scheme == "https"
                                                             else 80))  # fmt: skip
        for ip in found:
            if not self.permits(ip):
                what = f"{host} resolves to {ip}," if host != str(ip) else f"{ip} is"
                raise Refused(f"{what} a private or local address"
                              " (webhooks.allowed_networks can allow its network)")  # fmt: skip
        return found

    async def _resolve(self, host: str, port: int) -> list[Address]:
        loop = asyncio.get_running_loop()
        try:
            async with asyncio.timeout(self.resolve_timeout):
                infos = await loop.getaddrinfo(host, port, type=socket.SOCK_STREAM)
        except (OSError, TimeoutError, UnicodeError) as exc:
            raise Refused(f"{host} does not resolve ({exc or 'timed out'})") from None
        out: list[Address] = []
        for info in infos:
            ip = ipaddress.ip_address(str(info[4][0]).split("%", 1)[0])
            if ip not in out:
                out.append(ip)
        if not out:
            raise Refused(f"{host} does not resolve")
        return out


@dataclass(frozen=True, slots=True)
class Attempt:
    """One attempt's outcome: ``outcome`` is ``delivered``, ``http_error``, ``network`` or
    ``refused``; ``retry_after`` is the wait the receiver asked for, if it did."""

    outcome: str
    status: int | None = None
    error: str | None = None
    retry_after: float | None = None
    seconds: float = 0.0

    @property
    def ok(self) -> bool:
        return self.outcome == "delivered"


def retry_after(value: str | None, now: float) -> float | None:
    """``Retry-After`` in seconds: a number, or an HTTP date."""
    if not value:
        return None
    try:
        return max(0.0, float(value))
    except ValueError:
        pass
    try:
        when = email.utils.parsedate_to_datetime(value)
    except (TypeError, ValueError, IndexError):
        return None
    if when.tzinfo is None:
        when = when.replace(tzinfo=UTC)
    return max(0.0, when.timestamp() - now)


class Sender:
    """Sends one signed POST per call; no redirects followed, no proxies from the environment.
    Connections are kept alive per host (one client per host name, so a kept TLS connection is
    never reused for another name that happens to share its address)."""

    def __init__(self, cfg: WebhooksConfig) -> None:
        self.guard = Guard(networks(cfg.allowed_networks), min(5.0, cfg.timeout_seconds))
        self.timeout = cfg.timeout_seconds
        self.cfg = cfg
        self.clients: OrderedDict[str, httpx.AsyncClient] = OrderedDict()
        self.closing: set[asyncio.Task[None]] = set()

    def client(self, host: str) -> httpx.AsyncClient:
        c = self.clients.get(host)
        if c is None:
            t = self.cfg.timeout_seconds
            c = self.clients[host] = httpx.AsyncClient(
                follow_redirects=False,
                trust_env=False,
                timeout=httpx.Timeout(t, connect=min(5.0, t)),
                limits=httpx.Limits(max_connections=self.cfg.concurrency,
                                    max_keepalive_connections=4, keepalive_expiry=30),
            )  # fmt: skip
            if len(self.clients) > MAX_CLIENTS:  # the least recently used host's goes
                _, old = self.clients.popitem(last=False)
                task = asyncio.get_running_loop().create_task(old.aclose())
                self.closing.add(task)
                task.add_done_callback(self.closing.discard)
        self.clients.move_to_end(host)
        return c

    async def aclose(self) -> None:
        for c in self.clients.values():
            await c.aclose()
        self.clients.clear()

    async def send(self, url: str, secret: str, msg_id: str, body: bytes) -> Attempt:
        started = time.perf_counter()
        try:
            found = await self.guard.addresses(url)
        except Refused as exc:
            return Attempt("refused", error=str(exc), seconds=time.perf_counter() - started)
        stamp = int(time.time())
        headers = {
            "content-type": "application/json",
            "user-agent": USER_AGENT,
            "webhook-id": msg_id,
            "webhook-timestamp": str(stamp),
            "webhook-signature": sign(secret, msg_id, stamp, body),
        }
        out = await self._post(url, found, headers, body)
        return Attempt(out.outcome, out.status, out.error, out.retry_after,
                       time.perf_counter() - started)  # fmt: skip

    async def _post(
        self, url: str, found: list[Address], headers: dict[str, str], body: bytes
    ) -> Attempt:
        """POST to each checked address in turn until one connects."""
        parts = urlsplit(url)
        headers["host"] = parts.netloc
        extensions = {"sni_hostname": parts.hostname} if parts.scheme == "https" else {}
        client = self.client(parts.netloc)
        error = "no address"
        try:
            async with asyncio.timeout(self.timeout):
                for ip in found:
                    target = httpx.URL(url).copy_with(host=str(ip))
                    request = client.build_request(
                        "POST", target, content=body, headers=headers, extensions=extensions
                    )
                    try:
                        response = await client.send(request, stream=True)
                    except httpx.ConnectError as exc:
                        error = f"cannot connect to {ip}: {exc}"
                        continue
                    try:
                        return await answer(response)
                    finally:
                        await response.aclose()
        except TimeoutError:
            return Attempt("network", error=f"no answer within {self.timeout:g} s")
        except httpx.HTTPError as exc:
            return Attempt("network", error=f"{type(exc).__name__}: {exc}"[:SNIPPET])
        return Attempt("network", error=error[:SNIPPET])


async def answer(response: httpx.Response) -> Attempt:
    """A 2xx is delivered; anything else is an error with the start of its body."""
    if 200 <= response.status_code < 300:
        return Attempt("delivered", response.status_code)
    snippet = b""
    async for chunk in response.aiter_bytes():
        snippet += chunk
        if len(snippet) >= SNIPPET:
            break
    text = snippet[:SNIPPET].decode(errors="replace").strip()
    if 300 <= response.status_code < 400:
        text = f"redirect to {response.headers.get('location', '?')} not followed"
    wait = retry_after(response.headers.get("retry-after"), datetime.now(UTC).timestamp())
    error = f"HTTP {response.status_code}" + (f": {text}" if text else "")
    return Attempt("http_error", response.status_code, error, wait)
