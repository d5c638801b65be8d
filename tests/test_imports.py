"""Start-up cost: a command imports what it needs, compiles no large pattern while
importing, and a build reads python-docx's template once however many documents it
writes. (Timings are `make bench`'s; these are the structural facts behind them.)"""

from __future__ import annotations

import re
import subprocess
import sys

import docx
import pytest
from conftest import ROOT

from perfdoc.sources.layout import load_layout
from perfdoc.word import document

W = "http://schemas.openxmlformats.org/wordprocessingml/2006/main"
HEAVY = ("docx", "pypandoc", "watchfiles", "lxml", "openpyxl")


@pytest.mark.parametrize("command", [["check"], ["fix", "--check"]])
def test_check_and_fix_do_not_import_the_heavy_stacks(command):
    """check and fix stay light: pre-commit runs them on every commit, so they must not
    import the Word, pandoc or file-watching stacks (each costs tens of milliseconds)."""
    done = subprocess.run([sys.executable, "-X", "importtime", "-m", "perfdoc", *command,
                           str(ROOT)], capture_output=True, text=True)
    assert done.returncode in (0, 1), done.stderr[-2000:]
    imported = set(re.findall(r"^import time:\s+\d+ \|\s+\d+ \|\s*([\w.]+)$", done.stderr, re.M))
    assert "perfdoc.rules.check" in imported or "perfdoc.rules.fix" in imported
    assert not {m for m in imported if m.split(".")[0] in HEAVY}


# In a fresh interpreter: every pattern compiled while perfdoc's build modules are
# imported, with the largest character range in it, when that compile came from perfdoc.
_COMPILES = r"""
import re, re._compiler, re._parser, sys, traceback
seen = []
def widest(node):  # the widest (RANGE, (lo, hi)) anywhere in a parsed pattern
    if isinstance(node, tuple) and len(node) == 2 and node[0] is re._parser.RANGE:
        return node[1][1] - node[1][0] + 1
    if isinstance(node, (list, tuple, re._parser.SubPattern)):
        return max((widest(item) for item in node), default=0)
    return 0
original = re._compiler.compile
def compile(p, flags=0):
    caller = [f.filename for f in traceback.extract_stack()[:-1] if "/re/" not in f.filename]
    if caller and "/perfdoc/" in caller[-1] and isinstance(p, str):
        seen.append((widest(re._parser.parse(p, flags)), caller[-1], p[:60]))
    return original(p, flags)
re._compiler.compile = compile
import perfdoc.cli, perfdoc.rules.check, perfdoc.rules.fix, perfdoc.build
import perfdoc.word.form, perfdoc.word.report, perfdoc.word.render, perfdoc.sheets.xlsx
print(repr(seen))
"""


def test_no_large_character_class_is_compiled_at_import():
    """sre compiles a character class one code point at a time: the 28,000 Han
    characters cost 3 ms a pattern, paid by every command that imports it. Such tests
    compare characters instead (writing._is_han, ooxml.is_east_asian)."""
    done = subprocess.run([sys.executable, "-c", _COMPILES], capture_output=True, text=True,
                          cwd=ROOT)
    assert done.returncode == 0, done.stderr[-2000:]
    seen = eval(done.stdout)  # noqa: S307 - our own subprocess's repr of a list
    assert len(seen) > 20  # the hook saw perfdoc's patterns
    assert [s for s in seen if s[0] > 1000] == []


def test_the_template_is_read_once_and_each_document_is_its_own(monkeypatch):
    document._template.cache_clear()
    document._prepared.cache_clear()
    opened = []
    real = docx.Document
    monkeypatch.setattr(document.docx, "Document",
                        lambda *a: opened.append(a) or real(*a))
    layout = load_layout("jiangsu-2020")
    first = document.new_document(layout, body_pt=16, table_pt=12, title_pt=22, line_pt=28)
    second = document.new_document(layout, body_pt=16, table_pt=12, title_pt=22, line_pt=28)
    other = document.new_document(layout, body_pt=14, table_pt=10.5, title_pt=18)
    assert opened == [(str(document.TEMPLATE),)]  # parsed once for all three
    assert first.package is not second.package
    styles = first.package.styles.element
    styles.remove(styles[-1])  # a change to one copy reaches no other
    assert len(second.package.styles.element) == len(styles) + 1
    fresh = document.new_document(layout, body_pt=16, table_pt=12, title_pt=22, line_pt=28)
    assert len(fresh.package.styles.element) == len(styles) + 1
    assert other.sheet["body"].size_pt == 14 and first.sheet["body"].size_pt == 16


def test_the_shipped_template_is_python_docx_s_pruned():
    """assets/template.docx is python-docx's default template, pruned: when an upgrade
    changes that template, this says so (then run document.write_template())."""
    def parts(doc):
        package = doc.part.package
        return [(str(p.partname), p.content_type, p.blob, p.rels.xml if len(p.rels) else b"")
                for p in package.iter_parts()] + [package.rels.xml]

    shipped = docx.Document(str(document.TEMPLATE))
    assert parts(shipped) == parts(document.pruned_default()), (
        "python-docx's template changed: python -c 'from perfdoc.word.document import "
        "write_template; write_template()', then check the outputs")
    assert len(shipped.styles.element.findall(f"{{{W}}}style")) < 20  # of 169
