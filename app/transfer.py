"""``tourney export`` and ``tourney import``: a tournament to a file and back, through a running
server's API (the server owns the data directory and its event stream, so a file comes in as
events like any change, and goes out with everything the server has stored).

The server is the one the config names (``http://HOST:PORT``), or ``--url``; the token is
``--token``, else $TOURNEY_TOKEN, else $TOURNEY_ADMIN_TOKEN. Exit 0 on success, 1 when the server
refused (its answer is printed), 2 for a usage or connection error.
"""

from __future__ import annotations

import json
import os
import ssl
import sys
import urllib.error
import urllib.request
from pathlib import Path
from typing import Any

TIMEOUT_SECONDS = 120.0


def add_options(p: Any) -> None:
    p.add_argument("--url", help="the server's address [http://HOST:PORT from the config]")
    p.add_argument("--token", help="an admin or manage token [$TOURNEY_TOKEN]")
    p.add_argument("--cafile", help="CA certificates to trust for an https --url")
    p.add_argument("--config", help="a config.toml (for the server's host and port)")


def base_url(args: Any, host: str, port: int, tls: bool) -> str:
    if args.url:
        return str(args.url).rstrip("/")
    shown = "127.0.0.1" if host in ("0.0.0.0", "::", "") else host
    return f"{'https' if tls else 'http'}://{shown}:{port}"


def token_of(args: Any) -> str:
    return str(args.token or os.environ.get("TOURNEY_TOKEN")
               or os.environ.get("TOURNEY_ADMIN_TOKEN") or "")  # fmt: skip


def request(args: Any, url: str, data: bytes | None = None) -> bytes:
    """The answer's body; raises Refused (the server said no) or OSError (no answer)."""
    req = urllib.request.Request(url, data=data, method="POST" if data is not None else "GET")
    req.add_header("Authorization", f"Bearer {token_of(args)}")
    if data is not None:
        req.add_header("Content-Type", "application/json")
    context = ssl.create_default_context(cafile=args.cafile) if args.cafile else None
    try:
        with urllib.request.urlopen(req, timeout=TIMEOUT_SECONDS, context=context) as answer:
            body: bytes = answer.read()
            return body
    except urllib.error.HTTPError as exc:
        raise Refused(exc.code, exc.read().decode(errors="replace")) from None


class Refused(Exception):
    def __init__(self, status: int, body: str) -> None:
        super().__init__(f"the server answered {status}: {body}")


def export(args: Any, server: str) -> int:
    """The tournament's JSON export (or one CSV table with ``--table``) into ``args.file``."""
    path = f"/api/v1/tournaments/{args.tid}/export"
    if args.table:
        path += f"/{args.table}.csv"
    body = request(args, server + path)
    target = Path(args.file)
    if str(args.file) == "-":
        sys.stdout.buffer.write(body)
    else:
        target.write_bytes(body)
        print(f"wrote {target} ({len(body)} bytes)")
    return 0


def import_file(args: Any, server: str) -> int:
    raw = sys.stdin.buffer.read() if args.file == "-" else Path(args.file).read_bytes()
    made = json.loads(request(args, server + "/api/v1/import", raw))
    print(f"imported {made['id']} ({made['name']}): {server}/t/{made['id']}")
    return 0


def main(args: Any, host: str, port: int, tls: bool) -> int:
    server = base_url(args, host, port, tls)
    try:
        return export(args, server) if args.command == "export" else import_file(args, server)
    except Refused as exc:
        print(f"tourney: {exc}", file=sys.stderr)
        return 1
    except OSError as exc:
        print(f"tourney: {server}: {exc}", file=sys.stderr)
        return 2
