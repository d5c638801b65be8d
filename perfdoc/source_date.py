"""The one date a build stamps into its outputs, so equal sources give equal bytes.

SOURCE_DATE_EPOCH when set (reproducible-builds.org); otherwise the time of the last
git commit that touched the sources; otherwise a fixed date.
"""

from __future__ import annotations

import os
import subprocess
from datetime import UTC, datetime
from pathlib import Path

from perfdoc.files import SOURCE_DIRS

FIXED = datetime(1980, 1, 1, tzinfo=UTC)  # the earliest a zip entry can hold


def source_date(root: Path) -> datetime:
    epoch = os.environ.get("SOURCE_DATE_EPOCH", "").strip()
    if epoch.isdigit():
        return _stamp(epoch)
    try:
        done = subprocess.run(["git", "log", "-1", "--format=%ct", "--", *SOURCE_DIRS],
                              cwd=root, capture_output=True, encoding="utf-8",
                              errors="replace", timeout=10)
    except (OSError, subprocess.TimeoutExpired):
        return FIXED
    stamp = done.stdout.strip()
    if done.returncode == 0 and stamp.isdigit():
        return _stamp(stamp)
    return FIXED


def _stamp(seconds: str) -> datetime:
    try:
        return max(datetime.fromtimestamp(int(seconds), UTC), FIXED)
    except (OverflowError, ValueError, OSError):  # beyond the years a datetime holds
        return FIXED
