"""check and fix stay light: pre-commit runs them on every commit, so they must not
import the Word, pandoc or file-watching stacks (each costs tens of milliseconds)."""

from __future__ import annotations

import re
import subprocess
import sys

import pytest
from conftest import ROOT

HEAVY = ("docx", "pypandoc", "watchfiles", "lxml", "openpyxl")


@pytest.mark.parametrize("command", [["check"], ["fix", "--check"]])
def test_check_and_fix_do_not_import_the_heavy_stacks(command):
    done = subprocess.run([sys.executable, "-X", "importtime", "-m", "perfdoc", *command,
                           str(ROOT)], capture_output=True, text=True)
    assert done.returncode in (0, 1), done.stderr[-2000:]
    imported = set(re.findall(r"^import time:\s+\d+ \|\s+\d+ \|\s*([\w.]+)$", done.stderr, re.M))
    assert "perfdoc.rules.check" in imported or "perfdoc.rules.fix" in imported
    assert not {m for m in imported if m.split(".")[0] in HEAVY}
