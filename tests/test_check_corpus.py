"""The corpus: small broken projects, one mistake each, and exactly what check must say.

Each folder in tests/corpus/ is an overlay on the sample report: its files replace
or add to the sample's, `delete PATH` lines in `expected` remove files, and every
other line of `expected` is one diagnostic: `severity CODE path[:line][:field]`.
"""

from __future__ import annotations

import shutil
import zipfile
from pathlib import Path

import pytest
from conftest import ROOT, copy_project

from perfdoc.build import build
from perfdoc.rules.check import check_project

CORPUS = ROOT / "tests" / "corpus"
CASES = sorted(p for p in CORPUS.iterdir() if p.is_dir())


def materialise(case: Path, dst: Path) -> tuple[Path, list[str]]:
    project = copy_project(ROOT, dst)
    expected = []
    for line in (case / "expected").read_text(encoding="utf-8").splitlines():
        if not line.strip() or line.startswith("#"):
            continue
        if line.startswith("delete "):
            (project / line.split(" ", 1)[1]).unlink()
        else:
            expected.append(line)
    for path in case.rglob("*"):
        if path.is_file() and path.name != "expected":
            target = project / path.relative_to(case)
            target.parent.mkdir(parents=True, exist_ok=True)
            shutil.copyfile(path, target)
    return project, expected


def location(d) -> str:
    where = d.path + (f":{d.line}" if d.line is not None else "")
    where += f":{d.column}" if d.column is not None else ""
    return where + (f":{d.field}" if d.field else "")


def listed(d) -> str:
    return f"{d.severity.value} {d.code} {location(d)}"


# The sample's own finding (its 苏财预【2021】11号 is the real form's, kept on purpose);
# the cases start from a copy without it (conftest.copy_project).
SAMPLE = ["warning PD411 content/02-evaluation.md:6:38"]


def test_corpus_is_large_enough():
    assert len(CASES) >= 30
    codes = {line.split()[1] for case in CASES
             for line in (case / "expected").read_text(encoding="utf-8").splitlines()
             if line and not line.startswith(("#", "delete"))}
    assert len(codes) >= 25


def test_the_sample_checks_clean_but_for_its_document_number():
    _, diags = check_project(ROOT)
    assert [listed(d) for d in diags.items] == SAMPLE
    assert not diags.errors


@pytest.mark.parametrize("case", CASES, ids=lambda p: p.name)
def test_case(case, tmp_path):
    project, expected = materialise(case, tmp_path / "project")
    _, diags = check_project(project)
    found = [listed(d) for d in diags.sorted()]
    assert found == sorted(expected, key=lambda e: found.index(e) if e in found else -1), \
        "\n".join(str(d) for d in diags.sorted())
    for d in diags.items:  # every message names something, in Chinese
        assert any("\u4e00" <= ch <= "\u9fff" for ch in d.message)

    # `make docx` refuses to build with errors, and builds with warnings only.
    result = build(project, tmp_path / "out")
    if any(e.startswith("error") for e in expected):
        assert not result.ok and not (tmp_path / "out").exists()
    else:
        assert result.ok
        with zipfile.ZipFile(tmp_path / "out" / "form.docx") as z:
            assert z.testzip() is None
