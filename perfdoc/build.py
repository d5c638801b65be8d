"""check -> render -> write: the outputs appear only whole, or not at all."""

from __future__ import annotations

import contextlib
import hashlib
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path

from perfdoc import files, ooxml, source_date
from perfdoc.diagnostics import Diagnostics
from perfdoc.rules.check import check_project
from perfdoc.sheets.project_summary import build_projects_xlsx
from perfdoc.sheets.xlsx import build_scores_xlsx
from perfdoc.sources.project_load import PROJECTS_DIR
from perfdoc.word.document import WordDocument
from perfdoc.word.form import build_form
from perfdoc.word.pdf import PdfError, convert
from perfdoc.word.report import build_report

BUILD_DIR = "build"


@dataclass
class BuildResult:
    diagnostics: Diagnostics
    outputs: list[tuple[Path, str]] = field(default_factory=list)  # (path, sha256)
    pdf_error: str | None = None  # PDFs asked for but not made; the documents were

    @property
    def ok(self) -> bool:
        return not self.diagnostics.errors


def build(root: Path, out_dir: Path | None = None, pdf: bool = False) -> BuildResult:
    """Check the project and, when it is clean, write the form, the report, the
    scoring spreadsheet, and each project's form with the projects' summary; with
    `pdf`, then each document as PDF too (LibreOffice)."""
    with source_date.started(root) as source_date_of:
        report, diags = check_project(root)
        result = BuildResult(diags)
        if report is None or diags.errors:
            return result
        when = source_date_of()
    title = report.report_title.replace("\n", "")
    payloads = {"form.docx": _package(build_form(report, root, diags), title, report.facts.unit, when),
                "report.docx": _package(build_report(report, diags), title, report.facts.unit,
                                        when)}
    for project in report.projects:
        doc = build_form(project, root, diags)
        payloads[f"{PROJECTS_DIR}/{project.slug}.docx"] = _package(
            doc, f"{project.title} {project.layout.form.title}", project.implementer, when)
    if diags.errors:  # problems only rendering finds, e.g. an unreadable image
        return result
    payloads["scores.xlsx"] = build_scores_xlsx(report, when)
    if report.projects:
        payloads[f"{PROJECTS_DIR}.xlsx"] = build_projects_xlsx(report, when)
    out = out_dir or root / BUILD_DIR
    try:
        if out_dir is None:
            files.writable_dir(root, out)
        files.write_all(out, payloads)
    except files.WriteError as exc:
        diags.error("PD007", BUILD_DIR, f"{exc}；上次生成的文件保持不变")
        return result
    if pdf:  # from the documents just written, so the PDF shows exactly those
        documents = [name for name in payloads if name.endswith(".docx")]
        try:
            made = convert([out / name for name in documents], when)
            pdfs = {name[:-5] + ".pdf": made[out / name] for name in documents}
            files.write_all(out, pdfs)
            payloads.update(pdfs)
        except PdfError as exc:
            result.pdf_error = str(exc)
        except files.WriteError as exc:
            result.pdf_error = f"{exc}；PDF 没有生成"
    _remove_stale(out, payloads)
    result.outputs = [(out / name, hashlib.sha256(data).hexdigest())
                      for name, data in payloads.items()]
    return result


def _remove_stale(out: Path, payloads: dict[str, bytes]) -> None:
    """What this build did not write would be mistaken for current output: forms of
    projects that no longer exist, PDFs of documents that have changed since."""
    stale = [p for p in (out / PROJECTS_DIR).glob("*.docx")
             if f"{PROJECTS_DIR}/{p.name}" not in payloads]
    stale += [p for p in [*out.glob("*.pdf"), *(out / PROJECTS_DIR).glob("*.pdf")]
              if p.relative_to(out).as_posix() not in payloads]
    if f"{PROJECTS_DIR}.xlsx" not in payloads:
        stale.append(out / f"{PROJECTS_DIR}.xlsx")
    for path in stale:
        if path.is_file() and not path.is_symlink():
            # A stale file a reader holds open (Windows) stays: the build has succeeded.
            with contextlib.suppress(OSError):
                path.unlink()


CORE_PROPERTY_LIMIT = 255


def _package(doc: WordDocument, title: str, author: str, when: datetime) -> bytes:
    """The document's bytes, with the same core properties on every build."""
    props = doc.package.core_properties
    # python-docx refuses core properties over 255 characters (a long project name).
    props.title, props.author = title[:CORE_PROPERTY_LIMIT], author[:CORE_PROPERTY_LIMIT]
    props.comments = props.last_modified_by = ""
    props.created = props.modified = when.replace(tzinfo=None)  # python-docx wants UTC, naive
    return ooxml.docx_package(doc.package, "".join(doc.body), when)
