"""What ``tourney serve`` tells the person who started it, once it listens: where to open it (on
this machine, and from phones on the network), which data directory it uses and whether that is
new, and a newly generated admin token: on standard output, apart from the log (which goes to
standard error), in plain words.

A data directory is relative to where tourney starts (``./data`` by default), so a server
started from another directory begins a new, empty instance there. That is said loudly rather
than guessed around: the path in full, and that it is new.
"""

from __future__ import annotations

import contextlib
import ipaddress
import socket
import sys
from dataclasses import dataclass, field
from pathlib import Path

from .config import Config
from .tls import base_url, enabled

WILDCARDS = ("", "0.0.0.0", "::")
# TEST-NET-1 (RFC 5737): connecting a UDP socket sends nothing; the kernel only picks the
# address its route would leave from, which is the one phones on the LAN reach
PROBE = ("192.0.2.1", 9)


@dataclass(frozen=True)
class Welcome:
    local: str  # the server on this machine
    network: list[str]  # the server from other machines, when it listens on them
    public_url: str
    data_dir: Path
    fresh: bool  # no tourney data was in data_dir before this start
    tournaments: int | None  # None: not known here (the supervisor of --workers)
    admin_token: str | None = None
    extra: list[str] = field(default_factory=list)  # lines a command adds (the demo's)

    def text(self) -> str:
        rows = [("on this machine", f"{self.local}/   (operator page: {self.local}/admin)")]
        if self.network:
            rows += [("on the network", f"{url}/") for url in self.network]
        else:
            rows.append(("on the network", "none: it listens on this machine only"))
            rows.append(("", "(--host 0.0.0.0 opens it to phones on the LAN: see the README)"))
        if self.public_url:
            rows.append(("links point to", f"{self.public_url}   (server.public_url)"))
        rows.append(("data directory", str(self.data_dir)))
        out = ["", "  tourney is ready.", ""]
        out += [f"    {name:<18}{value}" for name, value in rows]
        if self.fresh:
            out += [
                "",
                "  NEW DATA DIRECTORY: there was no tourney data in it, so this is a new, empty",
                "  instance. To go on with an earlier one, stop this and start tourney where its",
                "  data is, or pass --data-dir (or TOURNEY_DATA_DIR) with its directory.",
            ]
        elif self.tournaments is not None:
            out.append(f"    {'':<18}(holds {self.tournaments} tournament(s))")
        if self.admin_token:
            out += [
                "",
                "  A new admin token was generated. It is shown this once (only its hash is",
                f"  kept); sign in with it on the operator page, {self.local}/admin:",
                "",
                f"      {self.admin_token}",
                "",
                "  (TOURNEY_ADMIN_TOKEN or [auth] admin_token choose your own.)",
            ]
        return "\n".join([*out, *self.extra, "", ""])


def welcome(
    cfg: Config, fresh: bool, tournaments: int | None, admin_token: str | None = None
) -> Welcome:
    return Welcome(
        local=base_url(cfg.server),
        network=network_urls(cfg),
        public_url=cfg.server.public_url,
        data_dir=cfg.data_path.resolve(),
        fresh=fresh,
        tournaments=tournaments,
        admin_token=admin_token,
    )


def network_urls(cfg: Config) -> list[str]:
    """Where other machines reach this server: every address of this machine when it listens
    on all of them, the one it listens on when that is not loopback, else none."""
    host = cfg.server.host
    scheme = "https" if enabled(cfg.server) else "http"
    hosts = lan_addresses() if host in WILDCARDS else [] if loopback(host) else [host]
    return [f"{scheme}://{f'[{h}]' if ':' in h else h}:{cfg.server.port}" for h in hosts]


def loopback(host: str) -> bool:
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def lan_addresses() -> list[str]:
    """This machine's IPv4 addresses other machines may reach (not loopback)."""
    found: list[str] = []
    with contextlib.suppress(OSError), socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as s:
        s.connect(PROBE)
        found.append(s.getsockname()[0])
    with contextlib.suppress(OSError):
        for info in socket.getaddrinfo(socket.gethostname(), None, socket.AF_INET):
            found.append(str(info[4][0]))
    return [a for a in dict.fromkeys(found) if not loopback(a)]


def show(w: Welcome) -> None:
    print(w.text(), end="", file=sys.stdout, flush=True)
