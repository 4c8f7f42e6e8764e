"""Time to ready: from starting a tourney command to its first /readyz 200, on the first start
(an empty data directory: the database, the admin token, Valkey's files are made) and on later
starts (the same data directory). Also the command's size on disk, and the CPU the server's
processes and this poller spent.

    .venv/bin/python bench/startup.py --command dist/tourney --command .venv/bin/tourney

Each run gets a fresh data directory, starts the command in it once (first) and then again
(later), stopping it with SIGTERM in between; several commands are alternated run by run.
Only loopback; every run stops by itself.
"""

from __future__ import annotations

import argparse
import os
import resource
import shlex
import shutil
import signal
import statistics
import subprocess
import tempfile
import time
from pathlib import Path

import httpx
from common import free_port


def start_once(command: list[str], data: Path, timeout: float = 60) -> tuple[float, float]:
    """Seconds to the first /readyz 200, and the server's CPU seconds until it stopped."""
    port = free_port()
    env = {k: v for k, v in os.environ.items() if not k.startswith("TOURNEY_")}
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    started = time.perf_counter()
    proc = subprocess.Popen(
        [*command, "serve", "--port", str(port), "--data-dir", str(data)],
        env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
    )  # fmt: skip
    ready = None
    with httpx.Client(timeout=1) as client:
        while ready is None and time.perf_counter() - started < timeout:
            try:
                if client.get(f"http://127.0.0.1:{port}/readyz").status_code == 200:
                    ready = time.perf_counter() - started
            except httpx.HTTPError:
                time.sleep(0.01)
    proc.send_signal(signal.SIGTERM)
    proc.wait(30)
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    if ready is None:
        raise SystemExit(f"{command} was not ready within {timeout:g} s")
    return ready, (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)


Starts = list[tuple[float, float]]


def report(command: str, first: Starts, later: Starts) -> None:
    program = Path(shutil.which(shlex.split(command)[0]) or shlex.split(command)[0])
    print(f"{command}: {program.stat().st_size / 1_048_576:.1f} MiB on disk")
    for name, runs in (("first start", first), ("later start", later)):
        ready = [r for r, _ in runs]
        cpu = statistics.median(c for _, c in runs)
        print(f"  {name}: ready in {statistics.median(ready):.2f} s median"
              f" ({min(ready):.2f}-{max(ready):.2f}, {len(runs)} starts);"
              f" server CPU {cpu:.2f} s per start, to its stop")  # fmt: skip


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--command", action="append", help="a tourney to start (repeat to compare)")
    p.add_argument("--runs", type=int, default=5)
    p.add_argument("--later", type=int, default=2, help="later starts per run")
    args = p.parse_args()
    commands = args.command or ["dist/tourney"]
    first: dict[str, Starts] = {c: [] for c in commands}
    later: dict[str, Starts] = {c: [] for c in commands}
    poller = time.process_time()
    for _ in range(args.runs):
        for command in commands:  # alternated, so a busy moment costs each the same
            with tempfile.TemporaryDirectory(prefix="tourney-startup-") as tmp:
                argv, data = shlex.split(command), Path(tmp) / "data"
                first[command].append(start_once(argv, data))
                later[command].extend(start_once(argv, data) for _ in range(args.later))
    poller = time.process_time() - poller
    for command in commands:
        report(command, first[command], later[command])
    print(f"poller CPU: {poller:.2f} s in all")


if __name__ == "__main__":
    main()
