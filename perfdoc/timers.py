"""Timers that stop work a hostile source would make endless.

Python checks for signals between bytecodes, so a timer's signal interrupts even a
template loop that calls nothing; the handler raises in the main thread, where
`finally` blocks then run as for any exception (temporary files are removed).
"""

from __future__ import annotations

import signal
import threading
from contextlib import contextmanager


@contextmanager
def interrupt_after(seconds: float, make_error, cpu: bool = False):
    """Raise `make_error()` after `seconds` of wall time, or of CPU time with `cpu`.

    Off for 0 seconds and outside the main thread (signals reach only that one).
    """
    if seconds <= 0 or threading.current_thread() is not threading.main_thread():
        yield
        return
    which, signum = ((signal.ITIMER_VIRTUAL, signal.SIGVTALRM) if cpu
                     else (signal.ITIMER_REAL, signal.SIGALRM))

    def expire(number, frame):
        raise make_error()
    previous = signal.signal(signum, expire)
    signal.setitimer(which, seconds)
    try:
        yield
    finally:
        signal.setitimer(which, 0)
        signal.signal(signum, previous)
