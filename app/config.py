"""Settings: ``config.toml`` → frozen dataclasses, then environment overrides.

Every setting has a default and a line of documentation here; ``config.toml`` at the top of the
repository lists them all (a test keeps the two in step). Environment variables override the file:
``TOURNEY_<SECTION>_<NAME>`` for any setting, plus the short forms ``TOURNEY_DATA_DIR``,
``TOURNEY_REDIS_URL`` and ``TOURNEY_ADMIN_TOKEN``.
"""

from __future__ import annotations

import dataclasses
import ipaddress
import os
import tomllib
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any


def setting(default: Any, doc: str) -> Any:
    return field(default=default, metadata={"doc": doc})


@dataclass(frozen=True)
class ServerConfig:
    host: str = setting("127.0.0.1", "Address to listen on.")
    port: int = setting(8000, "TCP port to listen on.")
    data_dir: str = setting("./data", "Where SQLite and the embedded Redis keep their files.")
    max_body_bytes: int = setting(1_048_576, "Largest request body accepted (413 above).")
    max_import_bytes: int = setting(
        67_108_864, "Largest tournament file POST /api/v1/import accepts (413 above)."
    )
    metrics_public: bool = setting(True, "Serve /metrics to anyone (false: admin token needed).")
    log_level: str = setting("info", "debug, info, warning or error.")
    log_format: str = setting(
        "auto",
        "json (one JSON object per line, for a log collector), text (one plain line per"
        " message, for people), or auto: text when the log goes to a terminal, else json.",
    )
    backlog: int = setting(2048, "Listen backlog: connections the kernel queues before accept.")
    timeout_keep_alive: int = setting(5, "Seconds an idle HTTP keep-alive connection is kept.")
    header_timeout: float = setting(
        10.0, "Seconds a client has to send a request's headers before it is dropped."
    )
    max_request_line_bytes: int = setting(
        16_384, "Longest request line (method, target, version) accepted; 414 above."
    )
    max_header_bytes: int = setting(
        65_536, "Largest request head (the request line and every header) accepted; 431 above."
    )
    trusted_proxies: str = setting(
        "",
        "Comma-separated proxy addresses whose X-Forwarded-For is believed (e.g. your HAProxy's);"
        " empty: none, the peer address is the client.",
    )
    access_log: bool = setting(True, "Log one line per HTTP request.")
    rate_limit_per_address: float = setting(
        100.0, "HTTP requests per second one client address may make (0: no limit); 429 above."
    )
    rate_limit_per_token: float = setting(
        200.0, "Writes (POST, PATCH, DELETE) per second one token may make (0: no limit)."
    )
    rate_limit_burst_seconds: float = setting(
        10.0, "A quiet client may burst this many seconds' worth of requests at once."
    )
    cors_origins: str = setting(
        "", "Comma-separated origins allowed to call the API from a browser (CORS); empty: off."
    )
    websocket_origins: str = setting(
        "",
        "Comma-separated origins whose pages may open a token-bearing WebSocket; empty: only"
        " this server's own pages (a request with no Origin, from a bot, is always allowed).",
    )
    workers: str = setting(
        "1",
        "Processes serving the same port, each a replica of the event log: a number, or auto"
        " (one per core).",
    )
    event_loop: str = setting("auto", "auto (uvloop when installed), uvloop or asyncio.")
    http_parser: str = setting("auto", "auto (httptools when installed), httptools or h11.")
    tls_cert: str = setting(
        "",
        "PEM file of the TLS certificate chain (server certificate first): serve HTTPS and WSS."
        " Empty: plain HTTP.",
    )
    tls_key: str = setting("", "PEM file of the certificate's private key (with tls_cert).")
    public_url: str = setting(
        "",
        "The address players and referees reach this server at (e.g. http://192.168.1.20:8000"
        " or https://cup.example.org), used in every link and QR code the API hands out; empty:"
        " the address each request came to.",
    )
    read_cache_bytes: int = setting(
        67_108_864,
        "Memory for encoded public reads (tournaments, matches, standings): each is built and"
        " gzipped once per version, not once per request.",
    )
    socket_send_buffer: int = setting(
        131_072,
        "Kernel send buffer of each connection, in bytes (0: the kernel's autotuning, up to"
        " megabytes per socket).",
    )


@dataclass(frozen=True)
class RedisConfig:
    url: str = setting(
        "", "An existing Redis or Valkey (redis:// or unix://). Empty: start a private one."
    )
    key_prefix: str = setting("tourney:", "Prefix of every key, so instances can share a Redis.")
    appendfsync: str = setting(
        "everysec",
        "Embedded server's AOF fsync: always (none lost), everysec (up to 1 s on power cut), no.",
    )
    binary: str = setting("", "valkey-server/redis-server to run; empty: the bundled one.")
    timeout_seconds: float = setting(2.0, "Longest wait for any Redis command before giving up.")
    shared: bool = setting(
        False,
        "Other tourney processes use this Redis and key prefix too (another host): follow their"
        " events, and take turns at writing SQLite. --workers sets it for its own processes.",
    )
    lease_seconds: float = setting(
        10.0, "With shared: how long the SQLite writer's lease lasts unless renewed."
    )


@dataclass(frozen=True)
class PipelineConfig:
    batch_size: int = setting(2000, "Most stream entries the writer commits in one transaction.")
    batch_wait_ms: int = setting(50, "How long the writer blocks waiting for new entries.")
    batch_linger_ms: int = setting(
        20, "After a batch smaller than batch_size, how long the writer lets more arrive."
    )
    backlog_limit: int = setting(
        200_000, "Unwritten events above which writes get 503 with Retry-After (backpressure)."
    )
    retry_after_seconds: int = setting(1, "Retry-After sent with a 503.")
    idempotency_ttl_seconds: int = setting(86_400, "How long an Idempotency-Key is remembered.")
    tick_id_ttl_seconds: int = setting(600, "How long the id of a live score tick is remembered.")
    sqlite_synchronous: str = setting(
        "NORMAL", "SQLite synchronous pragma: NORMAL (WAL, fast) or FULL (fsync every commit)."
    )
    durability: str = setting(
        "fast",
        "fast: the two settings above as given; strict: the embedded Redis fsyncs every write"
        " (appendfsync always) and SQLite every commit (FULL), so a power cut loses nothing"
        " acknowledged.",
    )
    sqlite_max_pages: int = setting(
        0, "Cap on the database's size in pages (0: none); past it writes wait, as on a full disk."
    )
    unload_after_seconds: float = setting(
        600.0,
        "A complete tournament nobody watches leaves memory this long after it completed; its"
        " next read brings it back from SQLite (0: never).",
    )


@dataclass(frozen=True)
class LiveConfig:
    queue_limit: int = setting(
        256, "Structural frames queued for one subscriber before it is closed with 1013."
    )
    tick_interval_ms: int = setting(
        50,
        "Live frames go out at most this often per view: a tick after a quiet interval at once,"
        " the ticks after it together at the interval's end, newest score per match.",
    )
    heartbeat_seconds: float = setting(15.0, "A heartbeat frame is sent to idle subscribers.")
    replay_events: int = setting(
        1000, "Structural events kept per tournament for a reconnecting client's resume."
    )
    max_buffered_bytes: int = setting(
        262_144,
        "Bytes a subscriber may have waiting in its socket before it is closed with 1013.",
    )
    replay_linger_seconds: float = setting(
        120.0, "How long a tournament nobody watches keeps its events for a returning client."
    )
    max_connections: int = setting(
        20_000, "Open WebSockets above which a new one is refused at once (HTTP 503)."
    )
    max_connections_per_address: int = setting(
        1_000, "Open WebSockets from one client address above which a new one is refused."
    )
    shutdown_grace_seconds: float = setting(
        5.0, "On stop, how long subscribers get to receive what is queued before 1001."
    )


@dataclass(frozen=True)
class AuthConfig:
    admin_token: str = setting(
        "", "The admin token. Empty: one is generated on first start, stored hashed, printed once."
    )


@dataclass(frozen=True)
class RefereeConfig:
    correction_window_seconds: float = setting(
        120.0,
        "How long after reporting a result a referee's token may correct it itself, while the"
        " next match has not begun (0: never; the organiser can always reopen a result).",
    )


@dataclass(frozen=True)
class WebhooksConfig:
    deliver: bool = setting(
        True,
        "Send webhooks. false: endpoints can still be set up and their messages are logged,"
        " waiting, but nothing is sent (e.g. a LAN with no way out); true again sends them.",
    )
    allowed_networks: str = setting(
        "",
        "Comma-separated networks (CIDR) a webhook may target besides public addresses, e.g."
        " 192.168.1.0/24 for a bot on your LAN; empty: private, loopback and link-local"
        " addresses are refused (no requests into the operator's network).",
    )
    timeout_seconds: float = setting(
        10.0, "Longest wait for one delivery: connecting, sending, and the answer's headers."
    )
    retry_initial_seconds: float = setting(
        5.0, "Wait before the first retry of a failed delivery; each next wait doubles."
    )
    retry_max_interval_seconds: float = setting(
        7200.0, "Longest wait between two retries of one delivery."
    )
    retry_window_seconds: float = setting(
        86_400.0,
        "How long a delivery is retried after its first attempt before it is given up and its"
        " endpoint disabled.",
    )
    max_endpoints: int = setting(
        20, "Most webhook endpoints per tournament, and server-wide (409 above)."
    )
    concurrency: int = setting(16, "Deliveries in flight at once, over all endpoints.")
    log_keep: int = setting(
        1000, "Finished deliveries (delivered or failed) kept in each endpoint's delivery log."
    )


@dataclass(frozen=True)
class ChallongeConfig:
    enabled: bool = setting(
        True,
        "Answer Challonge's v1 API (for bots written against it) under the prefix below; tokens"
        " of this server are its API keys.",
    )
    prefix: str = setting(
        "/challonge/v1",
        "Where the Challonge v1 API is answered: a bot's base URL is this server's address and"
        " this path.",
    )


@dataclass(frozen=True)
class Config:
    server: ServerConfig = field(default_factory=ServerConfig)
    redis: RedisConfig = field(default_factory=RedisConfig)
    pipeline: PipelineConfig = field(default_factory=PipelineConfig)
    live: LiveConfig = field(default_factory=LiveConfig)
    auth: AuthConfig = field(default_factory=AuthConfig)
    referee: RefereeConfig = field(default_factory=RefereeConfig)
    webhooks: WebhooksConfig = field(default_factory=WebhooksConfig)
    challonge: ChallongeConfig = field(default_factory=ChallongeConfig)

    @property
    def data_path(self) -> Path:
        return Path(self.server.data_dir)

    @property
    def worker_count(self) -> int:
        w = self.server.workers
        return (os.cpu_count() or 1) if w == "auto" else int(w)

    @property
    def appendfsync(self) -> str:
        return "always" if self.pipeline.durability == "strict" else self.redis.appendfsync

    @property
    def sqlite_synchronous(self) -> str:
        return "FULL" if self.pipeline.durability == "strict" else self.pipeline.sqlite_synchronous


def factory(f: dataclasses.Field[Any]) -> Any:
    make: Callable[[], Any] = f.default_factory  # type: ignore[assignment]
    return make()


SHORT_ENV = {
    "TOURNEY_DATA_DIR": ("server", "data_dir"),
    "TOURNEY_REDIS_URL": ("redis", "url"),
    "TOURNEY_ADMIN_TOKEN": ("auth", "admin_token"),
}


class ConfigError(Exception):
    pass


def coerce(value: str, like: Any) -> Any:
    if isinstance(like, bool):
        if value.lower() in ("1", "true", "yes", "on"):
            return True
        if value.lower() in ("0", "false", "no", "off"):
            return False
        raise ConfigError(f"not a boolean: {value!r}")
    if isinstance(like, int):
        return int(value)
    if isinstance(like, float):
        return float(value)
    return value


def load(path: str | None = None, env: dict[str, str] | None = None, **overrides: Any) -> Config:
    """Defaults, then the TOML file (if any), then the environment, then ``overrides``
    (``section__name=value``, as the command line gives them)."""
    env = dict(os.environ) if env is None else env
    path = path or env.get("TOURNEY_CONFIG")
    raw: dict[str, dict[str, Any]] = {}
    if path:
        with open(path, "rb") as f:
            raw = tomllib.load(f)
    sections: dict[str, Any] = {}
    for sec in dataclasses.fields(Config):
        defaults = factory(sec)
        values = dict(raw.get(sec.name, {}))
        names = {f.name for f in dataclasses.fields(defaults)}
        unknown = set(values) - names
        if unknown:
            raise ConfigError(f"unknown setting(s) in [{sec.name}]: {', '.join(sorted(unknown))}")
        for name in names:
            key = f"TOURNEY_{sec.name}_{name}".upper()
            if key in env:
                values[name] = coerce(env[key], getattr(defaults, name))
        for key, (s, name) in SHORT_ENV.items():
            if s == sec.name and key in env:
                values[name] = env[key]
        for key, value in overrides.items():
            s, _, name = key.partition("__")
            if s == sec.name and value is not None:
                values[name] = value
        sections[sec.name] = dataclasses.replace(defaults, **values)
    cfg = Config(**sections)
    validate(cfg)
    return cfg


def validate(cfg: Config) -> None:
    """Raise ConfigError for the first setting that cannot work."""
    for broken, message in checks(cfg):
        if broken:
            raise ConfigError(message)
    validate_webhooks(cfg.webhooks)


def checks(cfg: Config) -> list[tuple[bool, str]]:
    """(the setting is wrong, what to say) for every check."""
    s, p, workers = cfg.server, cfg.pipeline, cfg.server.workers
    return [
        (cfg.redis.appendfsync not in ("always", "everysec", "no"),
         "redis.appendfsync must be always, everysec or no"),
        (p.sqlite_synchronous.upper() not in ("NORMAL", "FULL", "EXTRA"),
         "pipeline.sqlite_synchronous must be NORMAL, FULL or EXTRA"),
        (s.event_loop not in ("auto", "uvloop", "asyncio"),
         "server.event_loop must be auto, uvloop or asyncio"),
        (s.http_parser not in ("auto", "httptools", "h11"),
         "server.http_parser must be auto, httptools or h11"),
        (p.durability not in ("fast", "strict"), "pipeline.durability must be fast or strict"),
        (s.log_format not in ("auto", "json", "text"),
         "server.log_format must be auto, json or text"),
        (cfg.referee.correction_window_seconds < 0,
         "referee.correction_window_seconds must be 0 or more"),
        (bool(s.tls_cert) != bool(s.tls_key),
         "server.tls_cert and server.tls_key go together: set both or neither"),
        (bool(s.public_url) and not s.public_url.startswith(("http://", "https://")),
         "server.public_url must start with http:// or https://"),
        (p.batch_size < 1 or cfg.live.queue_limit < 1,
         "pipeline.batch_size and live.queue_limit must be at least 1"),
        (not (workers == "auto" or (workers.isdigit() and 1 <= int(workers) <= 256)),
         "server.workers must be a number from 1 to 256, or auto"),
        (not cfg.challonge.prefix.startswith("/") or cfg.challonge.prefix.endswith("/")
         or cfg.challonge.prefix.startswith("/api/"),
         "challonge.prefix must start with / (not /api/) and not end with /"),
    ]  # fmt: skip


def validate_webhooks(w: WebhooksConfig) -> None:
    for spec in filter(None, (x.strip() for x in w.allowed_networks.split(","))):
        try:
            ipaddress.ip_network(spec, strict=False)
        except ValueError:
            raise ConfigError(f"webhooks.allowed_networks: {spec!r} is not a network") from None
    if min(w.timeout_seconds, w.retry_initial_seconds, w.retry_max_interval_seconds) <= 0:
        raise ConfigError("webhooks timeouts and retry intervals must be positive")
    if w.retry_window_seconds < 0 or w.max_endpoints < 1 or w.concurrency < 1 or w.log_keep < 1:
        raise ConfigError(
            "webhooks.retry_window_seconds must be >= 0; max_endpoints,"
            " concurrency and log_keep at least 1"
        )


def documented() -> dict[str, dict[str, tuple[Any, str]]]:
    """Every setting: section → name → (default, documentation)."""
    out: dict[str, dict[str, tuple[Any, str]]] = {}
    for sec in dataclasses.fields(Config):
        defaults = factory(sec)
        out[sec.name] = {
            f.name: (getattr(defaults, f.name), f.metadata["doc"])
            for f in dataclasses.fields(defaults)
        }
    return out
