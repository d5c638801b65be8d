"""check -> render -> write: the outputs appear only whole, or not at all."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field
from pathlib import Path

from . import files, ooxml
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
    out = out_dir or root / BUILD_DIR
    try:
        if out_dir is None:
            files.writable_dir(root, out)
        files.write_all(out, payloads)
    except files.WriteError as exc:
        diags.error("PD007", BUILD_DIR, f"{exc}；上次生成的文件保持不变")
        return result
    result.outputs = [(out / name, hashlib.sha256(data).hexdigest())
                      for name, data in payloads.items()]
    return result
