"""Limits that stop work a hostile source would make endless, on every OS.

One interface, two mechanisms:
- POSIX, main thread: `setitimer` (SIGALRM for wall time, SIGVTALRM for CPU time).
  Python checks for signals between bytecodes, so the handler interrupts even a
  template loop that calls nothing.
- Elsewhere (Windows has no signal timers): a watchdog thread per limit waits for the
  deadline (wall time, or the process's CPU time) and interrupts the main thread with
  `_thread.interrupt_main`, as pytest-timeout's "thread" method does. A SIGINT handler
  installed while any limit runs raises the innermost expired limit's error, and
  KeyboardInterrupt when none expired: a real Ctrl-C still stops the program.
Either way the error is raised in the main thread, where `finally` blocks run as for
any exception (temporary files are removed). Outside the main thread limits are off:
perfdoc does its work there (the preview rebuilds in the main thread too).

`hard_stop_after` is the last resort for code that never returns to the interpreter
(a C loop): faulthandler ends the process a little after the limit.
"""

from __future__ import annotations

import _thread
import faulthandler
import os
import signal
import sys
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager

DEFAULT_TIME_LIMIT = 60  # seconds: a report repository's CI must not hang on a source file
HARD_STOP_GRACE = 10  # seconds after the run limit before faulthandler ends the process


class TimeLimit(BaseException):
    """The run took longer than its limit (BaseException: no `except Exception` eats it)."""


def run_limit() -> int:
    """Seconds a run may take: PERFDOC_TIME_LIMIT (0 = none), else the default."""
    raw = os.environ.get("PERFDOC_TIME_LIMIT", "").strip()
    return int(raw) if raw.isdigit() else DEFAULT_TIME_LIMIT


def _has_signal_timers() -> bool:
    return all(hasattr(signal, name) for name in
               ("setitimer", "ITIMER_REAL", "ITIMER_VIRTUAL", "SIGALRM", "SIGVTALRM"))


def _in_main_thread() -> bool:
    return threading.current_thread() is threading.main_thread()


@contextmanager
def interrupt_after(seconds: float, make_error: Callable[[], BaseException],
                    cpu: bool = False) -> Iterator[None]:
    """Raise `make_error()` after `seconds` of wall time, or of CPU time with `cpu`.

    Off for 0 seconds and outside the main thread.
    """
    if seconds <= 0 or not _in_main_thread():
        yield
        return
    kind = "cpu" if cpu else "wall"
    if _has_signal_timers() and kind not in _signal_kinds:
        with _signal_timer(seconds, make_error, kind):
            yield
    else:
        with _watchdog(seconds, make_error, cpu):
            yield


# ---------------------------------------------------------------- POSIX signal timers

_signal_kinds: set[str] = set()  # one ITIMER of each kind per process: nested ones use a watchdog


@contextmanager
def _signal_timer(seconds: float, make_error: Callable[[], BaseException],
                  kind: str) -> Iterator[None]:
    which, signum = ((signal.ITIMER_VIRTUAL, signal.SIGVTALRM) if kind == "cpu"
                     else (signal.ITIMER_REAL, signal.SIGALRM))

    def expire(number: int, frame: object) -> None:
        raise make_error()
    previous = signal.signal(signum, expire)
    _signal_kinds.add(kind)
    signal.setitimer(which, seconds)
    try:
        yield
    finally:
        signal.setitimer(which, 0)
        signal.signal(signum, previous)
        _signal_kinds.discard(kind)


# ---------------------------------------------------------------- watchdog threads


class _Limit:
    def __init__(self, make_error: Callable[[], BaseException]) -> None:
        self.make_error = make_error
        self.expired = False  # interrupted, error not raised yet
        self.done = threading.Event()


_lock = threading.RLock()  # re-entrant: the SIGINT handler may run while main holds it
_active: list[_Limit] = []  # the limits now running, outermost first
_stale = 0  # interrupts issued for limits that ended before the interrupt arrived
_previous_sigint: object = None
_installed = False


def _on_sigint(number: int, frame: object) -> None:
    global _stale
    with _lock:
        for limit in reversed(_active):  # the innermost expired limit speaks
            if limit.expired:
                limit.expired = False  # raised once; a later Ctrl-C is a Ctrl-C
                raise limit.make_error()
        if _stale:
            _stale -= 1
            return
    if callable(_previous_sigint):
        _previous_sigint(number, frame)
    elif _previous_sigint != signal.SIG_IGN:
        raise KeyboardInterrupt


def _wait(limit: _Limit, seconds: float, cpu: bool) -> None:
    clock = time.process_time if cpu else time.monotonic
    deadline = clock() + seconds
    while (remaining := deadline - clock()) > 0:
        # CPU time never runs faster than wall time, so waiting `remaining` seconds of
        # wall time cannot overshoot a CPU deadline; then look again.
        if limit.done.wait(remaining):
            return
    with _lock:
        if not limit.done.is_set():
            limit.expired = True
            _thread.interrupt_main(signal.SIGINT)


@contextmanager
def _watchdog(seconds: float, make_error: Callable[[], BaseException],
              cpu: bool) -> Iterator[None]:
    global _installed, _previous_sigint, _stale
    limit = _Limit(make_error)
    with _lock:
        if not _installed:  # kept once installed: a late interrupt must find it
            _previous_sigint = signal.signal(signal.SIGINT, _on_sigint)
            _installed = True
        _active.append(limit)
    watcher = threading.Thread(target=_wait, args=(limit, seconds, cpu),
                               name="perfdoc-limit", daemon=True)
    watcher.start()
    try:
        yield
    finally:
        with _lock:
            limit.done.set()
            _active.remove(limit)
            if limit.expired:  # the interrupt is on its way with nobody to raise for
                _stale += 1
        watcher.join()


@contextmanager
def hard_stop_after(seconds: float) -> Iterator[None]:
    """End the process `seconds` from now if it is still inside this block: for code
    that never returns to the interpreter, which no interrupt reaches."""
    if seconds <= 0:
        yield
        return
    faulthandler.dump_traceback_later(seconds, exit=True, file=sys.__stderr__ or sys.stderr)
    try:
        yield
    finally:
        faulthandler.cancel_dump_traceback_later()
