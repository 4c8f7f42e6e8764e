"""The single executable's entry point: the same ``tourney`` command a pip install gives.

A one-file executable runs as two processes: a small launcher that unpacks the bundle into a
temporary directory, and the Python process it starts. The launcher passes SIGTERM and SIGINT
on; but a launcher killed outright (``kill -9``) cannot, so the server asks the kernel for a
SIGTERM when its launcher dies, and stops as it does on any SIGTERM.
"""

import contextlib
import ctypes
import os
import signal
import sys

from app.cli import main

PR_SET_PDEATHSIG = 1


def stop_with_launcher() -> None:
    launcher = os.getppid()
    try:
        same_program = os.readlink(f"/proc/{launcher}/exe") == os.readlink("/proc/self/exe")
    except OSError:
        return
    if not same_program:  # not started by the one-file launcher
        return
    with contextlib.suppress(OSError, AttributeError):
        ctypes.CDLL(None, use_errno=True).prctl(PR_SET_PDEATHSIG, signal.SIGTERM)
    if os.getppid() != launcher:  # the launcher died before the request was in place
        sys.exit(1)


if __name__ == "__main__":
    stop_with_launcher()
    sys.exit(main())
