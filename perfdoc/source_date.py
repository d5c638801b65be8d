"""The one date a build stamps into its outputs, so equal sources give equal bytes.

SOURCE_DATE_EPOCH when set (reproducible-builds.org); otherwise the time of the last
git commit that touched the sources; otherwise a fixed date.
"""

from __future__ import annotations

import os
import subprocess
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from pathlib import Path

from perfdoc.files import SOURCE_DIRS

FIXED = datetime(1980, 1, 1, tzinfo=UTC)  # the earliest a zip entry can hold


@contextmanager
def started(root: Path) -> Iterator[Callable[[], datetime]]:
    """The source date, asked of git at once and read when called: git runs (5 ms)
    while the build checks the sources. Leaving the block ends git if it still runs."""
    epoch = os.environ.get("SOURCE_DATE_EPOCH", "").strip()
    if epoch.isdigit():
        yield lambda: _stamp(epoch)
        return
    try:
        git = subprocess.Popen(["git", "log", "-1", "--format=%ct", "--", *SOURCE_DIRS],
                               cwd=root, stdin=subprocess.DEVNULL, stdout=subprocess.PIPE,
                               stderr=subprocess.DEVNULL, encoding="utf-8", errors="replace")
    except OSError:
        yield lambda: FIXED
        return

    def when() -> datetime:
        try:
            stamp = git.communicate(timeout=10)[0].strip()
        except subprocess.TimeoutExpired:
            return FIXED
        return _stamp(stamp) if git.returncode == 0 and stamp.isdigit() else FIXED

    try:
        yield when
    finally:
        if git.poll() is None:
            git.kill()
        git.communicate()


def _stamp(seconds: str) -> datetime:
    try:
        return max(datetime.fromtimestamp(int(seconds), UTC), FIXED)
    except (OverflowError, ValueError, OSError):  # beyond the years a datetime holds
        return FIXED
