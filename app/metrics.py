"""Every Prometheus metric, in one place, on a registry of the app's own."""

from __future__ import annotations

import collections

from prometheus_client import (
    CollectorRegistry,
    Counter,
    Gauge,
    Histogram,
    PlatformCollector,
    ProcessCollector,
    disable_created_metrics,
)

disable_created_metrics()  # type: ignore[no-untyped-call]

LATENCY_BUCKETS = (
    0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0,
)  # fmt: skip


class Metrics:
    def sync(self) -> None:
        """Move what the hot paths counted in plain dicts into their Prometheus counters."""
        for counts, counter in ((self.frames, self.frames_sent),
                                (self.appended, self.events_appended)):  # fmt: skip
            for label, n in list(counts.items()):
                if n:
                    counter.labels(label).inc(n)
                    counts[label] -= n

    def __init__(self) -> None:
        r = self.registry = CollectorRegistry()
        self.requests = Counter(
            "tourney_http_requests", "HTTP requests by route template, method and status.",
            ["route", "method", "status"], registry=r,
        )  # fmt: skip
        self.request_seconds = Histogram(
            "tourney_http_request_duration_seconds", "HTTP request latency by route template.",
            ["route", "method"], buckets=LATENCY_BUCKETS, registry=r,
        )  # fmt: skip
        self.events_appended = Counter(
            "tourney_events_appended", "Events appended to the stream, by type.", ["type"],
            registry=r,
        )  # fmt: skip
        self.duplicates = Counter(
            "tourney_events_duplicate", "Events refused as repeats of an id already appended.",
            registry=r,
        )  # fmt: skip
        self.stale_appends = Counter(
            "tourney_events_stale", "Structural events refused because another process had "
            "changed their tournament first (decided again on the newer state).", registry=r,
        )  # fmt: skip
        self.resyncs = Counter(
            "tourney_replica_resyncs", "Times this process fell so far behind the stream that it "
            "reloaded its state from SQLite.", registry=r,
        )  # fmt: skip
        self.writer_lease = Gauge(
            "tourney_writer_lease_held", "1 while this process holds the writer's lease.",
            registry=r,
        )  # fmt: skip
        self.backpressure = Counter(
            "tourney_backpressure_rejections",
            "Writes answered 503 because the pipeline could not take them, by reason.",
            ["reason"], registry=r,
        )  # fmt: skip
        self.batch_size = Histogram(
            "tourney_writer_batch_size", "Stream entries per writer transaction.",
            buckets=(1, 10, 50, 100, 250, 500, 1000, 2000, 5000), registry=r,
        )  # fmt: skip
        self.commit_seconds = Histogram(
            "tourney_writer_commit_duration_seconds", "SQLite commit time per batch.",
            buckets=LATENCY_BUCKETS, registry=r,
        )  # fmt: skip
        self.writer_lag = Gauge(
            "tourney_writer_lag_seconds", "Age of the oldest entry in the last committed batch.",
            registry=r,
        )  # fmt: skip
        self.writer_errors = Counter(
            "tourney_writer_errors", "Writer failures by store (retried).", ["store"], registry=r
        )
        self.dead_letters = Counter(
            "tourney_dead_letters", "Events the writer could not store, sent to the dead stream.",
            registry=r,
        )  # fmt: skip
        self.backlog = Gauge(
            "tourney_pipeline_backlog_events", "Events appended but not yet committed to SQLite.",
            registry=r,
        )  # fmt: skip
        self.backlog_limit = Gauge(
            "tourney_pipeline_backlog_limit",
            "The backlog at which writes get 503 (pipeline.backlog_limit).", registry=r,
        )  # fmt: skip
        self.stream_length = Gauge(
            "tourney_stream_length", "Entries in the Redis stream.", registry=r
        )
        self.stream_pending = Gauge(
            "tourney_stream_pending", "Entries delivered to the writer, not yet acknowledged.",
            registry=r,
        )  # fmt: skip
        self.subscribers = Gauge(
            "tourney_ws_subscribers", "Open WebSocket subscriptions.", registry=r
        )
        # counted in a plain dict on the hot path, copied into the counter at each scrape
        self.frames: collections.Counter[str] = collections.Counter()
        self.appended: collections.Counter[str] = collections.Counter()
        self.frames_sent = Counter(
            "tourney_ws_frames_sent", "WebSocket frames sent to subscribers, by kind.", ["kind"],
            registry=r,
        )  # fmt: skip
        self.slow_closes = Counter(
            "tourney_ws_slow_consumer_closes", "Subscribers closed with 1013 for falling behind.",
            registry=r,
        )  # fmt: skip
        self.ws_refused = Counter(
            "tourney_ws_refused", "WebSocket connections refused, by reason.", ["reason"],
            registry=r,
        )  # fmt: skip
        self.tournaments = Gauge(
            "tourney_tournaments", "Tournaments held, by state.", ["state"], registry=r
        )
        self.tournaments_loaded = Gauge(
            "tourney_tournaments_in_memory", "Tournaments held in memory (the others are idle and "
            "in SQLite only).", registry=r,
        )  # fmt: skip
        self.matches = Gauge(
            "tourney_matches", "Matches of underway tournaments, by state.", ["state"], registry=r
        )
        self.match_wait_seconds = Histogram(
            "tourney_match_ready_to_result_seconds",
            "Time from a match becoming ready to its result.",
            buckets=(1, 10, 30, 60, 120, 300, 600, 1200, 1800, 3600, 7200), registry=r,
        )  # fmt: skip
        self.ticks_coalesced = Counter(
            "tourney_live_ticks_coalesced",
            "Live ticks folded into a newer score before being sent (per tournament room).",
            registry=r,
        )  # fmt: skip
        self.fanout_seconds = Histogram(
            "tourney_fanout_duration_seconds",
            "Time from a structural event's publication until it was written to every subscriber.",
            buckets=(0.0001, 0.00025, 0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1,
                     0.25, 0.5, 1.0, 2.5),
            registry=r,
        )  # fmt: skip
        self.loop_lag = Gauge(
            "tourney_event_loop_lag_seconds", "How late the event loop ran a 100 ms timer.",
            registry=r,
        )  # fmt: skip
        self.fd_limit = Gauge(
            "tourney_open_files_limit", "The process's open-file limit, soft and hard.",
            ["kind"], registry=r,
        )  # fmt: skip
        self.redis_up = Gauge(
            "tourney_redis_up", "1 when the last Redis call of the health watcher worked.",
            registry=r,
        )  # fmt: skip
        self.client_errors = Counter(
            "tourney_client_protocol_errors",
            "Client protocol mistakes answered and closed below the app, by kind.", ["kind"],
            registry=r,
        )  # fmt: skip
        self.embedded_restarts = Counter(
            "tourney_embedded_redis_restarts", "Times the private Redis was restarted.", registry=r
        )
        self._webhooks(r)
        ProcessCollector(registry=r)
        PlatformCollector(registry=r)

    def _webhooks(self, r: CollectorRegistry) -> None:
        self.webhook_attempts = Counter(
            "tourney_webhook_attempts",
            "Webhook delivery attempts, by outcome (delivered, http_error, network, refused).",
            ["outcome"], registry=r,
        )  # fmt: skip
        self.webhook_seconds = Histogram(
            "tourney_webhook_attempt_duration_seconds",
            "Time of one webhook delivery attempt: resolving, connecting, the answer.",
            buckets=LATENCY_BUCKETS, registry=r,
        )  # fmt: skip
        self.webhook_failed = Counter(
            "tourney_webhook_deliveries_failed",
            "Webhook deliveries given up after failing for webhooks.retry_window_seconds.",
            registry=r,
        )  # fmt: skip
        self.webhook_disabled = Counter(
            "tourney_webhook_endpoints_disabled",
            "Webhook endpoints disabled because a delivery kept failing.", registry=r,
        )  # fmt: skip
        self.webhook_endpoints = Gauge(
            "tourney_webhook_endpoints", "Webhook endpoints, by state (enabled, disabled).",
            ["state"], registry=r,
        )  # fmt: skip
        self.webhook_pending = Gauge(
            "tourney_webhook_pending", "Webhook deliveries waiting, for enabled endpoints.",
            registry=r,
        )  # fmt: skip
        self.webhook_oldest = Gauge(
            "tourney_webhook_oldest_pending_seconds",
            "Age of the oldest waiting delivery of an enabled endpoint, from its first attempt.",
            registry=r,
        )  # fmt: skip
        self.webhook_lag = Gauge(
            "tourney_webhook_lag_seconds",
            "Age of the oldest stream entry in the batch the webhook dispatcher read last.",
            registry=r,
        )  # fmt: skip
        self.webhook_errors = Counter(
            "tourney_webhook_errors",
            "Webhook dispatcher failures by where (redis, sqlite, event, delivery).", ["where"],
            registry=r,
        )  # fmt: skip
