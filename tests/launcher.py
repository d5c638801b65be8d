"""Start commands from a small process, to measure their own peak memory.

Linux carries a process's peak RSS (ru_maxrss) across fork and exec: a child forked
from a large process (pytest after building a 300 MB fixture, the bench after
loading the 100x project) reports its parent's memory as its own. A launcher,
started early and small, forks every measured command instead.
"""

from __future__ import annotations

import json
import subprocess
import sys
from dataclasses import dataclass

# The launcher: one command per line of JSON on stdin, one answer per line on stdout.
_SOURCE = """
import json, os, subprocess, sys, threading, time
for line in sys.stdin:
    cmd, env, cwd, timeout = json.loads(line)
    start = time.perf_counter()
    with open(os.devnull, "rb") as nothing:
        proc = subprocess.Popen(cmd, stdin=nothing, stdout=subprocess.PIPE,
                                stderr=subprocess.PIPE, env=env, cwd=cwd)
    chunks = {}
    def drain(name, stream):
        chunks[name] = stream.read().decode(errors="replace")
    readers = [threading.Thread(target=drain, args=item)
               for item in (("out", proc.stdout), ("err", proc.stderr))]
    for reader in readers:
        reader.start()
    expired = threading.Event()
    killer = threading.Timer(timeout, lambda: (expired.set(), proc.kill()))
    killer.start()
    _, status, usage = os.wait4(proc.pid, 0)
    killer.cancel()
    proc.returncode = os.waitstatus_to_exitcode(status)
    for reader in readers:
        reader.join()
    print(json.dumps(None if expired.is_set() else
                     [time.perf_counter() - start, proc.returncode, usage.ru_maxrss,
                      chunks["out"], chunks["err"]]), flush=True)
"""


@dataclass
class Run:
    returncode: int
    stdout: str
    stderr: str
    seconds: float
    peak_mb: float  # the command's own peak RSS


class Launcher:
    def __init__(self) -> None:
        self._proc = subprocess.Popen([sys.executable, "-S", "-c", _SOURCE],
                                      stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True)

    def run(self, cmd: list[str], env: dict | None = None, cwd=None,
            timeout: float = 120) -> Run | None:
        """The finished command, or None when it was killed after `timeout` seconds."""
        self._proc.stdin.write(json.dumps([cmd, env, str(cwd) if cwd else None, timeout]) + "\n")
        self._proc.stdin.flush()
        answer = json.loads(self._proc.stdout.readline())
        if answer is None:
            return None
        seconds, code, rss_kb, out, err = answer
        return Run(code, out, err, seconds, rss_kb / 1024)
