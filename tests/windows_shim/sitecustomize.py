"""Loaded at interpreter start (PYTHONPATH) by tests/test_portability.py: takes away
what Windows lacks, so the real CLI runs as it would on a Windows desk.

Assumed absent on Windows (and removed here): signal.setitimer / getitimer, the
ITIMER_* constants, SIGALRM, SIGVTALRM, os.O_NONBLOCK. Present there (and set here):
os.O_BINARY. The shim leaves everything else alone (SIGINT, SIGTERM, threads,
_thread.interrupt_main, faulthandler and time.process_time exist on Windows).
"""

import os
import signal

for name in ("setitimer", "getitimer", "ITIMER_REAL", "ITIMER_VIRTUAL", "ITIMER_PROF",
             "SIGALRM", "SIGVTALRM", "SIGPROF"):
    if hasattr(signal, name):
        delattr(signal, name)
if hasattr(os, "O_NONBLOCK"):
    del os.O_NONBLOCK
# _O_BINARY's value on Windows. On Linux the kernel reads 0x8000 as O_LARGEFILE, a no-op
# on 64-bit systems, so os.open accepts it and reads the file's bytes as before.
os.O_BINARY = 0x8000
