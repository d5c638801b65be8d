from __future__ import annotations

import hashlib
import os
import shutil
import struct
import sys
import zlib
from pathlib import Path

import docx
import pytest
from launcher import Launcher, Run

from perfdoc.build import build

ROOT = Path(__file__).resolve().parents[1]
FIXTURES = ROOT / "tests" / "fixtures"


# The sample's one writing finding: the real 2020 form's own 苏财预【2021】11号 (PD411).
SAMPLE_FINDING = ("content/02-evaluation.md", "苏财预【2021】11号", "苏财预〔2021〕11号")


def copy_project(src: Path, dst: Path, as_published: bool = False) -> Path:
    """A writable copy of a project's sources (no build/). In a copy of the sample the
    document number is written as 〔2021〕, so that a test sees only what it changes;
    `as_published` keeps the sample's text as the seed has it."""
    dst.mkdir(parents=True, exist_ok=True)
    for name in ("content", "indicators", "projects"):
        if (src / name).is_dir():
            shutil.copytree(src / name, dst / name)
    path, wrong, right = SAMPLE_FINDING
    if src == ROOT and not as_published:
        (dst / path).write_bytes((dst / path).read_bytes().replace(wrong.encode(), right.encode()))
    return dst


def use_layout(project: Path, text: str, name: str = "mine.toml") -> Path:
    """Write a layout file into the project and point content/report.md at it."""
    path = project / name
    path.write_text(text, encoding="utf-8")
    facts = project / "content" / "report.md"
    facts.write_text(facts.read_text(encoding="utf-8").replace(
        "layout: jiangsu-2020", f"layout: {name}"), encoding="utf-8")
    return path


def digest_tree(root: Path) -> dict[str, str]:
    """sha256 of every regular file below root (links not followed), by relative path."""
    return {p.relative_to(root).as_posix(): hashlib.sha256(p.read_bytes()).hexdigest()
            for p in sorted(root.rglob("*")) if p.is_file() and not p.is_symlink()}


def write_files(root: Path, files: dict[str, str | bytes]) -> Path:
    for name, data in files.items():
        path = root / name
        path.parent.mkdir(parents=True, exist_ok=True)
        if isinstance(data, bytes):
            path.write_bytes(data)
        else:
            path.write_text(data, encoding="utf-8")
    return root


def tiny_png(width: int = 4, height: int = 3) -> bytes:
    """A valid RGB PNG, made here so the tests need no image files or libraries."""
    def chunk(kind: bytes, data: bytes) -> bytes:
        body = kind + data
        return struct.pack(">I", len(data)) + body + struct.pack(">I", zlib.crc32(body))
    raw = b"".join(b"\x00" + b"\xff\x00\x00" * width for _ in range(height))
    return (b"\x89PNG\r\n\x1a\n"
            + chunk(b"IHDR", struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0))
            + chunk(b"IDAT", zlib.compress(raw)) + chunk(b"IEND", b""))


@pytest.fixture(scope="session")
def sample_out(tmp_path_factory) -> Path:
    """The sample report built once, outside the repository's build/."""
    out = tmp_path_factory.mktemp("sample-build")
    result = build(ROOT, out)
    assert result.ok, [str(d) for d in result.diagnostics.items]
    return out


# The department layouts shipped beside jiangsu-2020, each with a sample in FIXTURES.
DEPARTMENT_LAYOUTS = ("central-department", "sichuan-department", "chongqing-department-2021",
                      "anhui-department-2023")


@pytest.fixture(scope="session")
def department_samples(tmp_path_factory) -> dict[str, Path]:
    """Every shipped department layout's sample, built once: layout name -> build folder."""
    out = {}
    for name in DEPARTMENT_LAYOUTS:
        folder = tmp_path_factory.mktemp(name)
        result = build(FIXTURES / name, folder)
        assert result.ok, (name, [str(d) for d in result.diagnostics.items])
        out[name] = folder
    return out


@pytest.fixture(scope="session")
def sample_form(sample_out) -> docx.document.Document:
    return docx.Document(str(sample_out / "form.docx"))


@pytest.fixture()
def sample_copy(tmp_path) -> Path:
    return copy_project(ROOT, tmp_path / "project")


def required_tool(names: tuple[str, ...], package: str) -> str:
    """A program the tests use; in CI its absence is a failure (.ci/run installs
    `package`), elsewhere a skip."""
    for name in names:
        found = shutil.which(name)
        if found:
            return found
    # A CI that has no such tool on purpose says so by name (.github/workflows/tests.yml);
    # .ci/run never does.
    if os.environ.get("CI") and package not in os.environ.get("PERFDOC_TESTS_WITHOUT", "").split(","):
        pytest.fail(f"{names[0]} is required in CI: .ci/run installs {package}")
    pytest.skip(f"{names[0]} is not installed (CI installs {package})")


def soffice() -> str:
    """LibreOffice's binary, to convert the documents."""
    return required_tool(("soffice", "libreoffice"), "LibreOffice")


def pdftotext() -> str:
    """poppler's pdftotext, to read a PDF page by page."""
    return required_tool(("pdftotext",), "poppler-utils")


def chromium() -> str:
    """Debian's chromium, for the preview's browser test."""
    return required_tool(("chromium", "chromium-browser"), "chromium")


# Started while pytest is still small: see tests/launcher.py.
LAUNCHER = Launcher()


def run_perfdoc(*args: str, cwd: Path | None = None, timeout: float = 120) -> Run:
    """`perfdoc ARGS` in a subprocess, with its wall time and its own peak memory."""
    done = LAUNCHER.run([sys.executable, "-m", "perfdoc", *args], env=dict(os.environ),
                        cwd=cwd, timeout=timeout)
    if done is None:
        pytest.fail(f"perfdoc {' '.join(args)} still running after {timeout} s")
    return done
