"""The README is the user's manual: it must keep up with the code."""

import re

from conftest import ROOT

from perfdoc.diagnostics import CODES


def test_every_diagnostic_code_is_documented_once():
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    documented = re.findall(r"^\| (PD\d{3}) \|", readme, flags=re.M)
    assert sorted(documented) == sorted(CODES)


def test_readme_shows_the_two_commands_and_the_picture():
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    assert "make docx" in readme and "make test" in readme
    picture = re.search(r"!\[[^\]]*\]\((docs/[^)]+\.png)\)", readme).group(1)
    assert (ROOT / picture).read_bytes().startswith(b"\x89PNG")
