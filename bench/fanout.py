"""Live fan-out: K subscribers to one tournament; lone ticks, steady ticks and results reach all.

    .venv/bin/python bench/fanout.py [--subscribers 5000] [--procs 4] [--rate 1000]
        [--lone 20] [--lone-gap 0.5] [--steady-seconds 5] [--steady-rate 100]
        [--results 20] [--result-interval 0.25] [--set live.tick_interval_ms=50]
        [--profile results] [--baseline]

Start tourney (embedded defaults, loopback) and a 64-player bracket; connect K subscribers from
``--procs`` client processes (bench/wsload.py: raw asyncio protocols on uvloop); then, phase by
phase, with a settle after each:
- lone: ``--lone`` live ticks, one every ``--lone-gap`` s (each alone in its tick interval);
- steady: live ticks at ``--steady-rate``/s for ``--steady-seconds`` s (coalesced by the server);
- results: ``--results`` results, one every ``--result-interval`` s (never coalesced).
Ticks go to one match with their send time in ``detail.bench_sent`` (lone ones by
``POST .../matches/{mid}/live``; steady ones one a frame on the ingest WebSocket, so they are
sent at the rate and applied in order), results to others (``POST .../result``, the
Idempotency-Key is the event id). A separate process
samples ``GET /healthz`` every 50 ms throughout.

Latency is a subscriber's receive time minus the driver's send time of the POST (the HTTP round
trip, the append, the fan-out); for ticks, that of the newest tick a frame carries. Per phase:
deliveries (frames received, from the clients' counters), CPU of the server, of the client
processes and of the driver, each per 1,000 deliveries (= microseconds per delivery), and the
/healthz latency during the phase. ``--profile PHASE`` runs py-spy on the server during that phase
(``pip install -e '.[bench]'``) and prints where its active samples were. ``--baseline`` measures
bench/ws_baseline_app.py instead: a bare uvloop server that writes one prebuilt frame to every
socket, the floor for this machine.
Targets: one process, 5,000 subscribers: lone tick and result p99 <= 100 ms, /healthz p99 <= 50 ms
during the fan-out, no connection errors; <= 6.5 us of server CPU per delivery at 10,000.
"""

from __future__ import annotations

import argparse
import json
import multiprocessing as mp
import os
import resource
import subprocess
import sys
import tempfile
import threading
import time
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx
from common import (
    ADMIN,
    Tourney,
    cpu_seconds,
    free_port,
    open_fds,
    rss_kib,
    tournament,
    valkey_pid,
    wait_ready,
)
from loadgen import pct
from profile_summary import summarise
from websockets.sync.client import connect
from wsload import floats, raise_nofile, start_holders


class Baseline:
    """bench/ws_baseline_app.py as a subprocess, shaped like ``Tourney`` for this script."""

    def __init__(self) -> None:
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.proc: subprocess.Popen[bytes] | None = None

    def __enter__(self) -> Baseline:
        app = Path(__file__).parent / "ws_baseline_app.py"
        self.proc = subprocess.Popen([sys.executable, str(app), str(self.port)])
        wait_ready(self.url + "/healthz", self.proc)
        return self

    def __exit__(self, *exc: object) -> None:
        if self.proc and self.proc.poll() is None:
            self.proc.terminate()
            self.proc.wait(30)

    @property
    def pid(self) -> int:
        assert self.proc is not None
        return self.proc.pid

    def client(self) -> httpx.Client:
        return httpx.Client(base_url=self.url, timeout=30)


def healthz_sampler(url: str, interval: float, out: Any, stop: Any, seconds: float) -> None:
    """GET /healthz every ``interval`` s on one keep-alive connection; a new one after errors."""
    samples: list[tuple[float, float]] = []  # (wall time sent, latency)
    errors: Counter[str] = Counter()
    hard = time.monotonic() + seconds
    client = httpx.Client(timeout=5)
    while not stop.is_set() and time.monotonic() < hard:
        started, sent = time.perf_counter(), time.time()
        try:
            r = client.get(url)
            samples.append((sent, time.perf_counter() - started))
            if r.status_code != 200:
                errors[f"http_{r.status_code}"] += 1
        except httpx.HTTPError as exc:
            errors[type(exc).__name__] += 1
            client.close()
            client = httpx.Client(timeout=5)
        time.sleep(max(0.0, interval - (time.perf_counter() - started)))
    client.close()
    out.put({"samples": samples, "errors": dict(errors)})


@dataclass
class Mark:
    """What the counters said at one moment."""

    wall: float
    server: float
    valkey: float
    clients: float
    driver: float
    frames: float


@dataclass
class Phase:
    name: str
    start: Mark
    end: Mark
    sent: int = 0
    seconds: float = 0.0  # sending took
    post_lat: list[float] = field(default_factory=list)
    statuses: Counter[int] = field(default_factory=Counter)

    @property
    def deliveries(self) -> float:
        return self.end.frames - self.start.frames

    def per_1000(self, attr: str, idle: Phase | None = None) -> float:
        """Milliseconds of CPU per 1,000 deliveries (= microseconds per delivery); with
        ``idle``, less what the process spends at rest over as long (its timers, /healthz)."""
        spent = getattr(self.end, attr) - getattr(self.start, attr)
        if idle is not None:
            spent -= idle.rate(attr) * (self.end.wall - self.start.wall)
        return spent / self.deliveries * 1e6 if self.deliveries else float("nan")

    def rate(self, attr: str) -> float:
        """CPU seconds per second."""
        spent = getattr(self.end, attr) - getattr(self.start, attr)
        return spent / (self.end.wall - self.start.wall)


class Run:
    """The server, the clients and the sampler, read at phase boundaries."""

    def __init__(self, server: Any, c: httpx.Client, a: argparse.Namespace) -> None:
        self.server, self.c, self.a = server, c, a
        self.clients: list[Any] = []
        self.counters: list[Any] = []
        self.valkey_pid = valkey_pid(server.pid)
        self.local = threading.local()
        self.lock = threading.Lock()

    def mark(self) -> Mark:
        me = resource.getrusage(resource.RUSAGE_SELF)
        return Mark(
            wall=time.time(),
            server=cpu_seconds(self.server.pid),
            valkey=cpu_seconds(self.valkey_pid) if self.valkey_pid else 0.0,
            clients=sum(cpu_seconds(p.pid) for p in self.clients),
            driver=me.ru_utime + me.ru_stime,
            frames=sum(c[0] for c in self.counters),
        )

    def post(self, phase: Phase, url: str, body: dict[str, Any], key: str | None = None) -> None:
        """One POST on this thread's connection (steady ticks come from several threads)."""
        c = getattr(self.local, "c", None)
        if c is None:
            c = self.local.c = self.server.client()
        began = time.perf_counter()
        headers = {"Idempotency-Key": key} if key else {}
        try:
            status: int | str = c.post(url, json=body, headers=headers).status_code
        except httpx.HTTPError as exc:
            status = type(exc).__name__
        with self.lock:
            phase.statuses[status] += 1  # type: ignore[index]
            phase.post_lat.append(time.perf_counter() - began)
            phase.sent += 1

    def phase(self, name: str, body: Any, profile: bool) -> Phase:
        spy = start_py_spy(self.server.pid, name, self.a.native) if profile else None
        p = Phase(name, self.mark(), self.mark())
        body(p)
        time.sleep(self.a.settle)
        p.end = self.mark()
        if spy is not None:
            spy.send_signal(2)  # SIGINT: py-spy writes what it has and exits
            spy.wait(60)
            print(summarise(Path(spy.args[-1]).read_text(), name))
        return p


def read_acks(ws: Any, n: int, p: Phase) -> None:
    """The ingest WebSocket's answers: one per tick sent, an ack or an error."""
    for _ in range(n):
        reply = json.loads(ws.recv(timeout=60))
        p.statuses[202 if reply["type"] == "ack" else reply.get("status", 0)] += 1


def start_py_spy(pid: int, name: str, native: bool) -> subprocess.Popen[bytes]:
    spy = Path(sys.executable).parent / "py-spy"
    out = Path(tempfile.mkdtemp(prefix="fanout-spy-")) / f"{name}.txt"
    cmd = [str(spy), "record", "-r", "200", "-f", "raw", "-p", str(pid), "-o", str(out)]
    cmd[2:2] = ["--native"] if native else ["--nonblocking"]
    proc = subprocess.Popen(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    time.sleep(1)  # attached
    return proc


def ms(values: list[float], q: float) -> float:
    return pct(values, q) * 1000


def post_p99(p: Phase) -> str:
    return f"{ms(sorted(p.post_lat), 0.99):.1f}" if p.post_lat else "-"


def lat_cols(values: list[float]) -> str:
    v = sorted(values)
    if not v:
        return f"{'-':>8} {'-':>8} {'-':>8}"
    return f"{ms(v, 0.5):8.1f} {ms(v, 0.99):8.1f} {v[-1] * 1000:8.1f}"


def main() -> None:
    a = arguments()
    nofile = raise_nofile()
    env = {}
    for item in a.set:
        name, _, value = item.partition("=")
        env["TOURNEY_" + name.replace(".", "_").upper()] = value
    print(f"machine: {os.cpu_count()} cores, load average {os.getloadavg()[0]:.2f} at start;"
          f" {a.subscribers} subscribers from {a.procs} client processes at {a.rate:.0f}/s;"
          f" client RLIMIT_NOFILE {nofile}; server settings {env or 'defaults'}")  # fmt: skip
    server = Baseline() if a.baseline else Tourney(env, Path(a.server_root).resolve())
    with server as t, t.client() as c:
        run = Run(t, c, a)
        if a.baseline:
            tid, ready = "", ["m"] * (a.results + 1)
        else:
            tt = tournament(c, 64)
            tid, ready = tt["id"], [m["id"] for m in tt["matches"] if m["state"] == "ready"]
        phases, connected, rss, hz, done = drive(run, tid, ready)
        rss.append(rss_kib(t.pid))
    report(a, phases, connected, rss, hz, done)


def arguments() -> argparse.Namespace:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--subscribers", type=int, default=5000)
    ap.add_argument("--procs", type=int, default=4, help="client processes")
    ap.add_argument("--rate", type=float, default=1000, help="connections per second, in all")
    ap.add_argument("--connect-seconds", type=float, default=120, help="cap on the connect phase")
    ap.add_argument("--lone", type=int, default=20, help="lone ticks")
    ap.add_argument("--lone-gap", type=float, default=0.5, help="seconds between lone ticks")
    ap.add_argument("--steady-rate", type=float, default=100, help="steady ticks per second")
    ap.add_argument("--steady-seconds", type=float, default=5)
    ap.add_argument("--results", type=int, default=20)
    ap.add_argument("--result-interval", type=float, default=0.25)
    ap.add_argument("--settle", type=float, default=2, help="seconds after each phase")
    ap.add_argument("--idle-seconds", type=float, default=5,
                    help="a phase with nothing sent: each process's CPU at rest")  # fmt: skip
    ap.add_argument("--phases", default="lone,steady,results")
    ap.add_argument("--set", action="append", default=[], metavar="SECTION.NAME=VALUE",
                    help="a server setting, e.g. live.tick_interval_ms=50")  # fmt: skip
    ap.add_argument("--server-root", default=str(Path(__file__).resolve().parent.parent),
                    help="the checkout whose app to serve (to compare two versions)")  # fmt: skip
    ap.add_argument("--profile", default="", metavar="PHASE", help="py-spy on the server then")
    ap.add_argument("--native", action="store_true",
                    help="with --profile: C frames too (uvloop, the system calls)")  # fmt: skip
    ap.add_argument("--baseline", action="store_true",
                    help="measure bench/ws_baseline_app.py (the write floor) instead")  # fmt: skip
    a = ap.parse_args()
    assert a.results <= 31, "a result needs a round-1 match of the 64-player bracket"
    return a


def drive(run: Run, tid: str, ready: list[str]) -> tuple[Any, ...]:
    a, t, c = run.a, run.server, run.c
    tick_mid, result_mids = ready[0], ready[1 : 1 + a.results]
    c.get("/healthz")
    time.sleep(1)
    rss = [rss_kib(t.pid)]
    print(f"server pid {t.pid}: before subscribers RSS {rss[0]} KiB, fds {open_fds(t.pid)}")
    ctx = mp.get_context("spawn")
    hz_out, hz_stop = ctx.Queue(), ctx.Event()
    budget = a.connect_seconds + 600
    hz = ctx.Process(target=healthz_sampler, args=(t.url + "/healthz", 0.05, hz_out, hz_stop,
                                                     budget), daemon=True)  # fmt: skip
    hz.start()
    path = f"/api/v1/tournaments/{tid}/ws" if tid else "/"
    procs, out, stop, counters = start_holders(
        "127.0.0.1", t.port, path, a.subscribers, a.procs, a.rate, "FO-", a.results,
        a.connect_seconds, budget,
    )  # fmt: skip
    began = time.perf_counter()
    for p in procs:
        p.start()
    run.clients, run.counters = procs, counters
    connected = [out.get(timeout=a.connect_seconds + 120) for _ in procs]
    held = sum(r["alive"] for r in connected)
    errors: Counter[str] = Counter()
    for r in connected:
        errors.update(r["errors"])
    print(f"connected {held} of {a.subscribers} in {time.perf_counter() - began:.1f} s;"
          f" errors {dict(errors) or 0}")  # fmt: skip
    time.sleep(a.settle + 3)
    rss.append(rss_kib(t.pid))
    print(f"after connect: RSS {rss[1]} KiB, {(rss[1] - rss[0]) / max(1, held):.1f} KiB per"
          f" subscriber, fds {open_fds(t.pid)}")  # fmt: skip
    base = "/fire" if a.baseline else f"/api/v1/tournaments/{tid}/matches"
    sent: dict[str, float] = {}

    def tick(p: Phase, k: int) -> None:
        now = time.time()
        body = {"scores": [k, 0], "detail": {"bench_sent": now}}
        run.post(p, f"{base}/{tick_mid}/live", body)

    def lone(p: Phase) -> None:
        for k in range(a.lone):
            began = time.perf_counter()
            tick(p, k + 1)
            time.sleep(max(0.0, a.lone_gap - (time.perf_counter() - began)))

    def steady(p: Phase) -> None:
        """At the rate whatever the server's answers take, in order: one tick a frame on the
        ingest WebSocket, the acknowledgements read by another thread (the floor: POSTs)."""
        n, began = int(a.steady_rate * a.steady_seconds), time.perf_counter()
        if a.baseline:
            for k in range(n):
                tick(p, 1000 + k)
                time.sleep(max(0.0, began + (k + 1) / a.steady_rate - time.perf_counter()))
            return
        url = f"ws://127.0.0.1:{t.port}/api/v1/ingest/ws"
        with connect(url, additional_headers={"Authorization": f"Bearer {ADMIN}"}) as ws:
            acks = threading.Thread(target=read_acks, args=(ws, n, p), daemon=True)
            acks.start()
            for k in range(n):
                item = {"tournament_id": tid, "match_id": tick_mid, "scores": [1000 + k, 0],
                        "detail": {"bench_sent": time.time()}}  # fmt: skip
                ws.send(json.dumps(item))
                p.sent += 1
                time.sleep(max(0.0, began + (k + 1) / a.steady_rate - time.perf_counter()))
            p.seconds = time.perf_counter() - began
            acks.join(60)

    def results(p: Phase) -> None:
        for i, mid in enumerate(result_mids):
            began = time.perf_counter()
            key = f"FO-r{i}"
            sent[key] = time.time()
            run.post(p, f"{base}/{mid}/result", {"scores": [2, 1]}, key)
            time.sleep(max(0.0, a.result_interval - (time.perf_counter() - began)))

    def rest(p: Phase) -> None:
        time.sleep(a.idle_seconds)

    bodies = {"idle": rest, "lone": lone, "steady": steady, "results": results}
    names = ["idle", *a.phases.split(",")]
    phases = [run.phase(n, bodies[n], n == a.profile) for n in names]
    rss.append(rss_kib(t.pid))
    stop.set()
    done = [out.get(timeout=120) for _ in procs]
    for p in procs:
        p.join(30)
    hz_stop.set()
    hzr = hz_out.get(timeout=30)
    hz.join(10)
    time.sleep(2)
    for r in done:
        r["sent"] = sent
    return phases, connected, rss, hzr, done


def report(
    a: argparse.Namespace,
    phases: list[Phase],
    connected: list[dict[str, Any]],
    rss: list[int],
    hz: dict[str, Any],
    done: list[dict[str, Any]],
) -> None:
    errors: Counter[str] = Counter()
    for r in done:
        errors.update(r["errors"])
    held = sum(r["alive"] for r in connected)
    tick_sent = floats(b"".join(r["tick_sent"] for r in done))
    tick_recv = floats(b"".join(r["tick_recv"] for r in done))
    sent: dict[str, float] = done[0]["sent"] if done else {}
    receipts: dict[str, list[float]] = {}
    for r in done:
        for k, raw in r["receipts"].items():
            receipts.setdefault(k, []).extend(floats(raw))
    print()
    print(f"subscribers: {held} held of {a.subscribers}; alive at the end"
          f" {sum(r['alive_at_end'] for r in done)}; received every result"
          f" {sum(r['got_all_events'] for r in done)}; connection errors"
          f" {dict(errors) or 0}")  # fmt: skip
    per_sub = (rss[1] - rss[0]) / held if held else 0.0
    print(f"server RSS KiB: before {rss[0]}, connected {rss[1]} ({per_sub:.1f} KiB per subscriber),"
          f" after the phases {rss[2]}, after all closed {rss[3]}; client processes' peak RSS"
          f" {sum(r['rss_kib'] for r in done) / 1024:.0f} MiB in all")  # fmt: skip
    print()
    idle = next(p for p in phases if p.name == "idle")
    rest = {k: idle.rate(k) * 100 for k in ("server", "clients", "valkey")}
    print(f"at rest ({idle.end.wall - idle.start.wall:.0f} s, subscribers connected, /healthz"
          f" sampled): server {rest['server']:.1f} % of a core, clients {rest['clients']:.1f} %,"
          f" Valkey {rest['valkey']:.1f} %")  # fmt: skip
    print(f"{'phase':<8} {'sent':>5} {'deliveries':>10} {'p50 ms':>8} {'p99 ms':>8} {'max ms':>8}"
          f"  {'server':>7} {'net':>6} {'clients':>7} {'net':>6} {'driver':>6} {'valkey':>6}"
          f"  {'POST p99':>8} {'/healthz p50':>12} {'p99':>6} {'max':>6}")  # fmt: skip
    hz_samples = hz["samples"]
    during: list[float] = []
    verdict: dict[str, bool] = {}
    for p in phases[1:]:
        if p.name == "results":
            lat = [x - sent[k] for k, v in receipts.items() if k in sent for x in v]
        else:
            lat = [r - s for s, r in zip(tick_sent, tick_recv, strict=True)
                   if p.start.wall <= s < p.end.wall]  # fmt: skip
        hzl = sorted(x for w, x in hz_samples if p.start.wall <= w < p.end.wall)
        during.extend(hzl)
        bad = {k: v for k, v in p.statuses.items() if k not in (200, 201, 202)}
        print(f"{p.name:<8} {p.sent:>5} {p.deliveries:>10.0f} {lat_cols(lat)}"
              f"  {p.per_1000('server'):7.2f} {p.per_1000('server', idle):6.2f}"
              f" {p.per_1000('clients'):7.2f} {p.per_1000('clients', idle):6.2f}"
              f" {p.per_1000('driver'):6.2f} {p.per_1000('valkey'):6.2f}"
              f"  {post_p99(p):>8} {ms(hzl, 0.5):12.1f} {ms(hzl, 0.99):6.1f}"
              f" {(hzl[-1] * 1000 if hzl else 0):6.1f}"
              f"{'  POST errors ' + str(bad) if bad else ''}"
              f"{f'  (sent at {p.sent / p.seconds:.0f}/s)' if p.seconds else ''}")  # fmt: skip
        if p.name in ("lone", "results"):
            verdict[f"{p.name}_p99_le_100ms"] = bool(lat) and ms(sorted(lat), 0.99) <= 100
        if p.deliveries:
            ok = verdict.get("server_us_per_delivery_le_6.5", True)
            verdict["server_us_per_delivery_le_6.5"] = ok and p.per_1000("server", idle) <= 6.5
    print("(CPU: ms per 1,000 deliveries, i.e. us per delivery; net: less the process's CPU at"
          " rest over as long; latency: POST sent to frame received, for ticks the newest tick"
          " in the frame)")  # fmt: skip
    print(f"/healthz during the phases: n={len(during)} p50 {ms(sorted(during), 0.5):.1f} ms"
          f" p99 {ms(sorted(during), 0.99):.1f} ms; errors {hz['errors'] or 0}")  # fmt: skip
    if "results" in a.phases:
        spread = []
        for k, v in receipts.items():
            if k in sent and v:
                spread.append(max(v) - min(v))
        print(f"one result from first to last subscriber: p50 {ms(sorted(spread), 0.5):.1f} ms,"
              f" max {max(spread, default=0) * 1000:.1f} ms")  # fmt: skip
    verdict["healthz_p99_le_50ms"] = bool(during) and ms(sorted(during), 0.99) <= 50
    verdict["zero_connection_errors"] = not errors and held == a.subscribers
    print("targets:", json.dumps(verdict))


if __name__ == "__main__":
    main()
