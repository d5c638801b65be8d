"""check -> render -> write: the outputs appear only whole, or not at all."""

from __future__ import annotations

import hashlib
import os
import tempfile
from dataclasses import dataclass, field
from pathlib import Path

from . import ooxml
from .check import check_project
from .diagnostics import Diagnostics
from .form import build_form
from .report import build_report
from .source_date import source_date
from .xlsx import build_scores_xlsx

BUILD_DIR = "build"


@dataclass
class BuildResult:
    diagnostics: Diagnostics
    outputs: list[tuple[Path, str]] = field(default_factory=list)  # (path, sha256)

    @property
    def ok(self) -> bool:
        return not self.diagnostics.errors


def build(root: Path, out_dir: Path | None = None) -> BuildResult:
    """Check the project and, when it is clean, write the form, the report and the
    scoring spreadsheet."""
    report, diags = check_project(root)
    result = BuildResult(diags)
    if report is None or diags.errors:
        return result
    documents = {"form.docx": build_form(report, diags),
                 "report.docx": build_report(report, diags)}
    if diags.errors:  # problems only rendering finds, e.g. an unreadable image
        return result
    when = source_date(root)
    payloads = {}
    for name, doc in documents.items():
        props = doc.core_properties
        props.title, props.author = report.report_title.replace("\n", ""), report.facts.unit
        props.comments = props.last_modified_by = ""
        props.created = props.modified = when.replace(tzinfo=None)  # python-docx wants UTC, naive
        payloads[name] = ooxml.docx_package(doc, when)
    payloads["scores.xlsx"] = build_scores_xlsx(report, when)
    result.outputs = write_all(out_dir or root / BUILD_DIR, payloads)
    return result


def write_all(out_dir: Path, payloads: dict[str, bytes]) -> list[tuple[Path, str]]:
    """Each file goes to a temporary name first and is renamed into place whole."""
    out_dir.mkdir(parents=True, exist_ok=True)
    written = []
    for name, data in payloads.items():
        fd, tmp = tempfile.mkstemp(prefix=f".{name}.", suffix=".tmp", dir=out_dir)
        try:
            with os.fdopen(fd, "wb") as fh:
                fh.write(data)
            os.replace(tmp, out_dir / name)
        except BaseException:
            Path(tmp).unlink(missing_ok=True)
            raise
        written.append((out_dir / name, hashlib.sha256(data).hexdigest()))
    return written
