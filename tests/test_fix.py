"""perfdoc fix: the mechanical writing fixes, byte for byte, and their properties."""

from __future__ import annotations

import codecs

import pytest
from conftest import ROOT, SAMPLE_FINDING, copy_project, digest_tree, run_perfdoc
from hypothesis import example, given, settings
from hypothesis import strategies as st

from perfdoc.rules.fix import fix_bytes
from perfdoc.rules.writing import SEVERITY, findings, fixed

FIXABLE = {"PD411", "PD412", "PD413", "PD414", "PD415", "PD417"}



def test_the_sample_document_number_is_fixed_and_nothing_else(tmp_path):
    project = copy_project(ROOT, tmp_path / "p", as_published=True)
    path, wrong, right = SAMPLE_FINDING
    before = digest_tree(project)
    original = (project / path).read_bytes()
    done = run_perfdoc("fix", str(project))
    assert done.returncode == 0, done.stderr
    assert (project / path).read_bytes() == original.replace(wrong.encode(), right.encode())
    after = digest_tree(project)
    assert {k for k in before if before[k] != after[k]} == {path}
    assert "-根据《" in done.stdout and right in done.stdout  # the unified diff
    again = run_perfdoc("fix", str(project), "--check")
    assert again.returncode == 0 and "没有需要改正的写法" in again.stdout


def test_check_and_diff_write_nothing(tmp_path):
    project = copy_project(ROOT, tmp_path / "p", as_published=True)
    before = digest_tree(project)
    check = run_perfdoc("fix", str(project), "--check")
    assert check.returncode == 1 and "content/02-evaluation.md" in check.stdout
    diff = run_perfdoc("fix", str(project), "--diff")
    assert diff.returncode == 0 and "+++ b/content/02-evaluation.md" in diff.stdout
    assert digest_tree(project) == before


def test_crlf_bom_frontmatter_and_encoding_stay(tmp_path):
    head = "---\r\nsection: problems\r\ntitle: 四、存在问题\r\nhint: （问题,如有）\r\n---\r\n"
    body = "问题一,已整改。。\r\n\r\n中心 现有 编制。`a,b` 不动。\r\n"
    data = codecs.BOM_UTF8 + (head + body).encode("utf-8")
    new, encoding = fix_bytes(data)
    assert encoding == "utf-8"
    assert new == codecs.BOM_UTF8 + (head + "问题一，已整改。\r\n\r\n中心现有编制。`a,b` 不动。\r\n"
                                      ).encode("utf-8")
    gbk = ("---\nsection: problems\ntitle: 四、存在问题\n---\n完成率１００％,好。\n").encode("gb18030")
    new, encoding = fix_bytes(gbk)
    assert encoding == "gb18030"
    assert new.decode("gb18030").endswith("完成率100％，好。\n")


def test_fix_refuses_a_link_out_of_the_project(tmp_path):
    project = copy_project(ROOT, tmp_path / "p")
    outside = tmp_path / "outside.md"
    outside.write_text("---\nsection: x\ntitle: x\n---\n文字,文字\n", encoding="utf-8")
    (project / "content" / "09-link.md").symlink_to(outside)
    done = run_perfdoc("fix", str(project))
    assert "PD005" not in done.stdout and "09-link.md" in done.stderr  # not read, said why
    assert outside.read_text(encoding="utf-8").endswith("文字,文字\n")


# ---------------------------------------------------------------- properties

# Text as writers type it, with every character a rule names, and Markdown around it.
ALPHABET = list("中文字符编号年度一二三四五六七八九十，。、；：？！（）“”【】〔〕[]()<>,;:?!."
                "0123456789０１２Ａａabc  \u3000\n`{}%#*-_|/!\\") + [
    "一、", "（一）", "(一)", "1.", "1、", "（1）", "苏财预【2021】11号", "http://x.cn/a,b",
    "{{ income }}", "<!-- 注,释 -->", "![图](a,b.png)", "**", "\n\n", "```\n,\n```\n"]
texts = st.lists(st.sampled_from(ALPHABET), max_size=60).map("".join)

_NAMED = set(",;:?!()，；：？！（）。、〔〕【】[]<>〈〉 \t\u3000.")  # "." : 1、 → 1.


def unnamed(text: str) -> str:
    """The text without what a rule may change: named punctuation and spaces removed,
    full-width digits and letters read as half-width."""
    half = "".join(chr(ord(c) - 0xFEE0) if "０" <= c <= "ｚ" and c.isalnum() else c
                   for c in text)
    return "".join(c for c in half if c not in _NAMED)


@settings(max_examples=300, deadline=None)
@given(texts)
@example("中,,,,,,,,,,,,")  # a run of half-width marks: one stretch, fixed in one round
@example("(一),,。。")
def test_fix_is_idempotent_and_changes_only_what_rules_name(text):
    once = fixed(text)
    assert fixed(once) == once
    assert unnamed(once) == unnamed(text)
    assert text.count("\n") == once.count("\n")
    assert not [f for f in findings(once) if f.code in FIXABLE]


def test_every_rule_has_a_severity():
    assert set(SEVERITY) == {f"PD41{n}" for n in range(1, 9)}
    assert {c for c, s in SEVERITY.items() if s == "error"} == {"PD416", "PD417"}


@pytest.mark.parametrize(("text", "found"), [
    ("按苏财预【2021】11号执行", ["【2021】"]),
    # The issuer is the last 12 Han characters before the bracket, as a regular expression
    # would take them; one before that does not stop the finding.
    ("一二三四五六七八九十甲乙丙【2021】3号", ["【2021】"]),
    ("【2021】3号", []),  # no issuer
    ("a【2021】3号", []),
    # Two in a row: the first one's 号 is not the second one's issuer.
    ("苏财预【2021】11号【2022】5号", ["【2021】"]),
    ("苏财预【2021】11号，苏财绩【2022】5号", ["【2021】", "【2022】"]),
    ("（2021）1号苏财预【2022】3号", ["【2022】"]),
])
def test_document_numbers_need_an_issuer(text, found):
    got = [text[f.start:f.end] for f in findings(text) if f.code == "PD411"]
    assert got == found


@pytest.mark.parametrize(("text", "spaces"), [
    ("中文 中文", 1), ("中文\u3000\u3000中文", 1), ("，  中文", 1),
    ("， 。", 0),  # punctuation on both sides, no Han character
    (" 中文", 0), ("中文 ", 0), ("中文 abc", 0), ("abc def", 0),
])
def test_spaces_between_chinese(text, spaces):
    assert len([f for f in findings(text) if f.code == "PD414"]) == spaces
