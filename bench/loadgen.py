"""A small, fast HTTP/1.1 keep-alive load generator for loopback benchmarks.

Raw asyncio streams rather than a full client library: the load must cost far less than the
server it measures. Each worker process runs ``connections`` sockets, one request in flight each.
"""

from __future__ import annotations

import asyncio
import json
import multiprocessing as mp
import time
from collections.abc import Callable
from typing import Any

Body = Callable[[int, int], bytes]  # (worker, i) -> request body


async def one_connection(
    host: str, port: int, path: str, headers: dict[str, str], bodies: list[bytes],
    latencies: list[float], statuses: dict[int, int], deadline: float,
) -> None:  # fmt: skip
    reader, writer = await asyncio.open_connection(host, port)
    head = "".join(f"{k}: {v}\r\n" for k, v in headers.items())
    try:
        for body in bodies:
            if time.monotonic() > deadline:
                break
            req = (
                f"POST {path} HTTP/1.1\r\nHost: {host}\r\n{head}"
                f"Content-Type: application/json\r\nContent-Length: {len(body)}\r\n\r\n"
            ).encode() + body
            started = time.perf_counter()
            writer.write(req)
            status_line = await reader.readline()
            length = 0
            while True:
                line = await reader.readline()
                if line in (b"\r\n", b""):
                    break
                if line.lower().startswith(b"content-length:"):
                    length = int(line.split(b":")[1])
            if length:
                await reader.readexactly(length)
            latencies.append(time.perf_counter() - started)
            status = int(status_line.split()[1]) if status_line else 0
            statuses[status] = statuses.get(status, 0) + 1
    finally:
        writer.close()


def run(
    host: str, port: int, path: str, headers: dict[str, str], bodies: list[list[list[bytes]]],
    seconds: float = 60,
) -> dict[str, Any]:  # fmt: skip
    """``bodies[process][connection]`` is the list of bodies that connection posts to ``path``."""
    assert host == "127.0.0.1", "loopback only"
    lanes = [[(path, conn) for conn in proc] for proc in bodies]
    return run_paths(port, headers, lanes, seconds)


def pct(values: list[float], q: float) -> float:
    if not values:
        return 0.0
    return values[min(len(values) - 1, int(q * len(values)))]


def dumps(value: Any) -> bytes:
    return json.dumps(value, separators=(",", ":")).encode()


def worker_paths(args: dict[str, Any], out: Any) -> None:
    async def main() -> None:
        latencies: list[float] = []
        statuses: dict[int, int] = {}
        deadline = time.monotonic() + args["seconds"]
        tasks = [
            one_connection("127.0.0.1", args["port"], path, args["headers"], bodies, latencies,
                           statuses, deadline)
            for path, bodies in args["lanes"]
        ]  # fmt: skip
        began = time.time()
        results = await asyncio.gather(*tasks, return_exceptions=True)
        errors = [repr(r) for r in results if isinstance(r, BaseException)]
        out.put({"latencies": latencies, "statuses": statuses, "errors": errors,
                 "began": began, "ended": time.time()})  # fmt: skip

    asyncio.run(main())


def run_paths(
    port: int, headers: dict[str, str], lanes: list[list[tuple[str, list[bytes]]]],
    seconds: float = 60,
) -> dict[str, Any]:  # fmt: skip
    """Like ``run``, each connection with its own path: ``lanes[process][connection]``."""
    ctx = mp.get_context("spawn")
    out = ctx.Queue()
    procs = [ctx.Process(target=worker_paths, args=({"port": port, "headers": headers,
                                                     "lanes": lane, "seconds": seconds}, out))
             for lane in lanes]  # fmt: skip
    started = time.perf_counter()
    for p in procs:
        p.start()
    results = [out.get() for _ in procs]
    for p in procs:
        p.join()
    return summarise(results, time.perf_counter() - started)


def summarise(results: list[dict[str, Any]], elapsed: float) -> dict[str, Any]:
    """``seconds`` is the load's own window: first request of any process to the last reply."""
    if results:
        elapsed = max(r["ended"] for r in results) - min(r["began"] for r in results)
    latencies = sorted(x for r in results for x in r["latencies"])
    statuses: dict[int, int] = {}
    for r in results:
        for k, v in r["statuses"].items():
            statuses[int(k)] = statuses.get(int(k), 0) + v
    return {
        "requests": len(latencies),
        "seconds": elapsed,
        "statuses": statuses,
        "errors": [e for r in results for e in r["errors"]],
        "p50_ms": pct(latencies, 0.50) * 1000,
        "p99_ms": pct(latencies, 0.99) * 1000,
        "max_ms": (latencies[-1] if latencies else 0) * 1000,
    }
