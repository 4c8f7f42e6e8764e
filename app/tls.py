"""HTTPS and WSS served by tourney itself: ``[server] tls_cert`` and ``tls_key``
(``--tls-cert``/``--tls-key``), PEM files as any certificate authority or ACME client writes them.
uvicorn terminates TLS with the standard library's server defaults (TLS 1.2 and up,
forward-secret AEAD ciphers, no compression).
"""

from __future__ import annotations

import ssl
from pathlib import Path

from .config import ConfigError, ServerConfig


def enabled(cfg: ServerConfig) -> bool:
    return bool(cfg.tls_cert)


def check(cfg: ServerConfig) -> None:
    """Raise ConfigError, naming the file, when TLS is configured with files it cannot use."""
    if not enabled(cfg):
        return
    for path in (cfg.tls_cert, cfg.tls_key):
        if not Path(path).is_file():
            raise ConfigError(f"TLS: no such file: {path}")
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    try:
        context.load_cert_chain(cfg.tls_cert, cfg.tls_key)
    except OSError as exc:  # ssl.SSLError included: not PEM, or the key does not match
        raise ConfigError(
            f"TLS: cannot use certificate {cfg.tls_cert} with key {cfg.tls_key}: {exc}"
        ) from exc


def base_url(cfg: ServerConfig) -> str:
    """The server's address as seen from this machine (a wildcard host means loopback), with
    https when TLS is on."""
    target = {"": "127.0.0.1", "0.0.0.0": "127.0.0.1", "::": "::1"}.get(cfg.host, cfg.host)
    scheme = "https" if enabled(cfg) else "http"
    host = f"[{target}]" if ":" in target else target
    return f"{scheme}://{host}:{cfg.port}"
