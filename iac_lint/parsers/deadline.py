"""A wall-clock deadline for one unit: past it, the unit is given up with a located E005.

Every parser bounds its own work (nodes, steps, sizes); the deadline is the
net under them all, for a cost nobody foresaw.  It needs ``SIGALRM``, so it is
armed only in a process's main thread on a system that has it; elsewhere the
parsers' own budgets are all there is.
"""

from __future__ import annotations

import signal
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from types import FrameType


class UnitDeadline(Exception):
    """The unit took longer than its deadline."""


@contextmanager
def unit_deadline(seconds: float) -> Iterator[None]:
    if not hasattr(signal, "setitimer") or threading.current_thread() is not threading.main_thread():
        yield
        return

    def expired(signum: int, frame: FrameType | None) -> None:
        raise UnitDeadline

    previous = signal.signal(signal.SIGALRM, expired)
    signal.setitimer(signal.ITIMER_REAL, seconds)
    try:
        yield
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, previous)
