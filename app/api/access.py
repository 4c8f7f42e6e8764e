"""A token's rights on an open socket. A socket outlives the check made when it was opened, so
it is cut off the moment its token is revoked (told by ``Tokens.revoke``), its participant link
is replaced (``Tokens.links_changed``) or its token expires (a timer), and the ingest socket
also checks the token before it acts on each frame."""

from __future__ import annotations

import asyncio
from collections.abc import Callable

from ..auth import LINK_KEY, Principal, Tokens

UNAUTHORIZED = 4401  # a WebSocket close code: the token no longer allows this socket
RECHECK = 86_400.0  # a far expiry is looked at again after this long (timers drift)


def nothing() -> None:
    """What ``hold`` returns when there is nothing to watch."""


def hold(
    tokens: Tokens, who: Principal | None, lost: Callable[[str], object]
) -> Callable[[], None]:
    """Call ``lost(reason)`` once, as soon as ``who``'s token stops working (at once if it
    already has); returns what lets go of the watch when the socket ends."""
    if who is None or (who.token_id is None and who.link is None):
        return nothing
    loop = asyncio.get_running_loop()
    timer: asyncio.TimerHandle | None = None
    done = False

    def release() -> None:
        nonlocal done
        done = True
        unwatch()
        if timer is not None:
            timer.cancel()

    def cut(reason: str) -> None:
        if not done:
            release()
            lost(reason)

    def check() -> None:
        nonlocal timer
        timer = None
        reason = tokens.refusal(who)
        if reason is not None:
            cut(reason)
            return
        left = tokens.seconds_left(who)
        if left is not None and not done:
            timer = loop.call_later(min(max(left, 0.0), RECHECK) + 0.005, check)

    unwatch = tokens.watch(who.token_id or LINK_KEY + (who.link or ""), cut)
    check()
    return release
