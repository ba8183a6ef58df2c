"""Stopping a command cleanly on Ctrl-C (SIGINT) or SIGTERM.

The handler raises :class:`Stopped` (a :class:`KeyboardInterrupt`) where the
main thread happens to be. Python drops an exception raised inside some
callbacks (a weak reference's, say) with an "Exception ignored" note, so the
handler also records the signal, and long commands call :func:`check` at safe
points (after each replication, before publishing) to stop there instead.
"""

from __future__ import annotations

import contextlib
import signal
from types import FrameType

_requested: list[int] = []


class Stopped(KeyboardInterrupt):
    """The command was asked to stop by a signal (SIGTERM handled as Ctrl-C is)."""

    def __init__(self, signum: int = signal.SIGINT) -> None:
        super().__init__(signum)
        self.signum = signum


def _stop(signum: int, _frame: FrameType | None) -> None:
    _requested.append(signum)
    raise Stopped(signum)


def check() -> None:
    """Raise :class:`Stopped` if a stop was asked for and somehow not acted on."""
    if _requested:
        raise Stopped(_requested[-1])


def install() -> dict[int, object]:
    """Handle SIGINT and SIGTERM (main thread only); return the handlers replaced."""
    _requested.clear()
    previous: dict[int, object] = {}
    for signum in (signal.SIGINT, signal.SIGTERM):
        with contextlib.suppress(ValueError):  # not the main thread (a notebook's, say)
            previous[signum] = signal.signal(signum, _stop)
    return previous


def restore(previous: dict[int, object]) -> None:
    """Put back the handlers :func:`install` replaced."""
    for signum, handler in previous.items():
        signal.signal(signum, handler)  # type: ignore[arg-type]
    _requested.clear()


def exit_status(exc: KeyboardInterrupt) -> tuple[int, str]:
    """The exit status (128 + the signal's number) and the signal's name for people."""
    signum = exc.signum if isinstance(exc, Stopped) else signal.SIGINT
    what = "Ctrl-C" if signum == signal.SIGINT else signal.Signals(signum).name
    return 128 + int(signum), what
