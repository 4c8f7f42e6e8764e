"""Logs: one JSON object per line (for a log collector), or one plain line per message (for a
person at a terminal), each with whatever ``extra`` a call site gives."""

from __future__ import annotations

import json
import logging
import re
import sys
from datetime import UTC, datetime

STANDARD = set(vars(logging.makeLogRecord({}))) | {"message", "asctime", "taskName"}


# A token can reach a log only inside a URL (browsers' WebSockets pass ?token=) or a header.
SECRET = re.compile(r"((?:token|access_token)=|[Bb]earer\s+)[^&\s\"']+")


def redact(text: str) -> str:
    return SECRET.sub(r"\1[redacted]", text)


class JsonFormatter(logging.Formatter):
    def format(self, record: logging.LogRecord) -> str:
        out = {
            "time": datetime.fromtimestamp(record.created, UTC).isoformat(timespec="milliseconds"),
            "level": record.levelname.lower(),
            "logger": record.name,
            "message": redact(record.getMessage()),
        }
        for key, value in vars(record).items():
            if key not in STANDARD and not key.startswith("_"):
                out[key] = value
        if record.exc_info:
            out["error"] = self.formatException(record.exc_info)
        out.pop("color_message", None)
        return redact(json.dumps(out, default=str))


class TextFormatter(logging.Formatter):
    """``17:21:12 info     serving  tournaments=0``: the local time, the level, the message and
    its extras as ``name=value``."""

    def format(self, record: logging.LogRecord) -> str:
        when = datetime.fromtimestamp(record.created).strftime("%H:%M:%S")
        skip = STANDARD | {"color_message"}
        extras = [f"{k}={v}" for k, v in vars(record).items()
                  if k not in skip and not k.startswith("_")]  # fmt: skip
        line = f"{when} {record.levelname.lower():<8} {record.getMessage()}"
        if extras:
            line += "  " + " ".join(extras)
        if record.exc_info:
            line += "\n" + self.formatException(record.exc_info)
        return redact(line)


def human(log_format: str = "auto") -> bool:
    """Whether logs are for a person: ``text``, or ``auto`` with stderr a terminal."""
    return log_format == "text" or (log_format == "auto" and sys.stderr.isatty())


class DenialNoise(logging.Filter):
    """uvicorn's sans-I/O WebSocket logs an error after every refused upgrade (a 401, 403, 404
    or 503 sent as an HTTP denial response), though the refusal was complete. Drop that line."""

    def filter(self, record: logging.LogRecord) -> bool:
        return record.msg != "ASGI callable returned without completing handshake."


def setup(level: str = "info", log_format: str = "auto") -> None:
    handler = logging.StreamHandler(sys.stderr)
    handler.setFormatter(TextFormatter() if human(log_format) else JsonFormatter())
    handler.addFilter(DenialNoise())
    root = logging.getLogger()
    root.handlers[:] = [handler]
    root.setLevel(level.upper())
    for name in ("uvicorn", "uvicorn.error", "uvicorn.access"):
        logging.getLogger(name).handlers[:] = []
        logging.getLogger(name).propagate = True
    logging.getLogger("uvicorn.access").setLevel("WARNING")
    # a line per webhook request, its URL included: a Discord webhook's URL is its secret
    for name in ("httpx", "httpcore"):
        logging.getLogger(name).setLevel("WARNING")
