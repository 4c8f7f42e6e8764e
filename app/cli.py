"""``tourney serve`` and friends."""

from __future__ import annotations

import argparse
import contextlib
import sys

from . import config as config_mod
from . import logs, tls, transfer
from .serving import Server, bind, uvicorn_config


def parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(prog="tourney", description="A self-hosted tournament server.")
    sub = p.add_subparsers(dest="command", required=True)
    serve = sub.add_parser("serve", help="run the server")
    add_server_options(serve)
    demo = sub.add_parser("demo", help="run the server with a sample tournament that plays itself")
    add_server_options(demo)
    backup = sub.add_parser("backup", help="copy the database while the server runs")
    backup.add_argument("dest", help="the file to write (must not exist)")
    backup.add_argument("--config", help="a config.toml (for its data_dir)")
    backup.add_argument("--data-dir", help="where the data lives [./data]")
    out = sub.add_parser("export", help="write a tournament to a file (from a running server)")
    out.add_argument("tid", help="the tournament's id")
    out.add_argument("file", help="the file to write (- for standard output)")
    out.add_argument("--table", choices=["participants", "matches", "standings"],
                     help="write this table as CSV instead of the whole tournament")  # fmt: skip
    into = sub.add_parser("import", help="recreate a tournament from a file on a running server")
    into.add_argument("file", help="a file written by tourney export (- for standard input)")
    for p_ in (out, into):
        transfer.add_options(p_)
    return p


def add_server_options(p: argparse.ArgumentParser) -> None:
    p.add_argument("--config", help="a config.toml (default: $TOURNEY_CONFIG, else none)")
    p.add_argument("--host", help="address to listen on [127.0.0.1]")
    p.add_argument("--port", type=int, help="port to listen on [8000]")
    p.add_argument("--data-dir", help="where the data lives [./data]")
    p.add_argument(
        "--workers", help="processes serving the port, each a replica: a number, or auto [1]"
    )
    # a worker of --workers: bind the port beside its siblings (SO_REUSEPORT)
    p.add_argument("--reuse-port", action="store_true", help=argparse.SUPPRESS)
    p.add_argument("--tls-cert", help="PEM certificate chain: serve HTTPS and WSS")
    p.add_argument("--tls-key", help="PEM private key of --tls-cert")


def load_config(args: argparse.Namespace) -> config_mod.Config:
    return config_mod.load(
        args.config,
        server__host=getattr(args, "host", None),
        server__port=getattr(args, "port", None),
        server__data_dir=getattr(args, "data_dir", None),
        server__workers=getattr(args, "workers", None),
        server__tls_cert=getattr(args, "tls_cert", None),
        server__tls_key=getattr(args, "tls_key", None),
    )


def serve(cfg: config_mod.Config, args: argparse.Namespace) -> int:
    logs.setup(cfg.server.log_level, cfg.server.log_format)
    if cfg.worker_count > 1 and not args.reuse_port:
        from .workers import serve_workers

        return serve_workers(cfg, server_argv(args))
    from .main import create_app

    config = uvicorn_config(cfg, create_app(cfg))
    try:
        sock = bind(cfg, config, args.reuse_port)
    except OSError as exc:
        print(f"tourney: {exc.strerror or exc}", file=sys.stderr)
        return 2
    server = Server(config)
    server.announce = not args.reuse_port
    with contextlib.suppress(KeyboardInterrupt):  # Ctrl-C: stopped gracefully, then raised
        server.run(sockets=[sock])
    return 0 if server.started else 1


def server_argv(args: argparse.Namespace) -> list[str]:
    """The serve options given, for a worker (without --workers: a worker is one process)."""
    out = []
    for name in ("config", "host", "port", "data_dir", "tls_cert", "tls_key"):
        value = getattr(args, name, None)
        if value is not None:
            out += [f"--{name.replace('_', '-')}", str(value)]
    return out


def main(argv: list[str] | None = None) -> int:
    args = parser().parse_args(argv)
    try:
        cfg = load_config(args)
        if args.command not in ("backup", "export", "import"):
            tls.check(cfg.server)  # unusable files: a clear error before anything starts
    except (config_mod.ConfigError, OSError, ValueError) as exc:
        print(f"tourney: {exc}", file=sys.stderr)
        return 2
    if args.command == "backup":
        from .backup import main as run_backup

        return run_backup(cfg.server.data_dir, args.dest)
    if args.command in ("export", "import"):
        s = cfg.server
        return transfer.main(args, s.host, s.port, bool(s.tls_cert))
    if args.command == "demo":
        from .demo import run_demo

        return run_demo(cfg)
    return serve(cfg, args)


if __name__ == "__main__":
    sys.exit(main())
