"""perfdoc where its users are: a Windows-like interpreter, code-page pipes.

The real CLI runs in subprocesses under tests/windows_shim/sitecustomize.py, which
removes the POSIX signal timers and os.O_NONBLOCK and sets os.O_BINARY (the APIs
assumed absent and present on Windows are listed there). The outputs must be the
same bytes as an unshimmed build, and the limits must still hold.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import time
from pathlib import Path

import pytest
from conftest import ROOT, copy_project, digest_tree

SHIM = Path(__file__).parent / "windows_shim"


def perfdoc(*args: str, shim: bool = True, encoding: str | None = None,
            timeout: float = 120, cwd: Path | None = None, **env: str) -> subprocess.CompletedProcess:
    environ = {**os.environ, **env}
    if shim:
        environ["PYTHONPATH"] = os.pathsep.join(filter(None, [str(SHIM),
                                                               environ.get("PYTHONPATH")]))
    if encoding:  # what Windows gives a pipe: the ANSI code page
        environ["PYTHONIOENCODING"] = encoding
    return subprocess.run([sys.executable, "-m", "perfdoc", *args], env=environ, cwd=cwd,
                          capture_output=True, timeout=timeout)


def out(done: subprocess.CompletedProcess) -> str:
    return (done.stdout + done.stderr).decode("utf-8", "replace")


def test_the_shim_takes_away_what_windows_lacks():
    code = ("import os, signal; print(hasattr(signal, 'setitimer'), hasattr(signal, 'SIGALRM'),"
            " hasattr(os, 'O_NONBLOCK'), hasattr(os, 'O_BINARY'))")
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                          env={**os.environ, "PYTHONPATH": str(SHIM)})
    assert done.stdout.split() == ["False", "False", "False", "True"]


def test_check_build_and_fix_work_and_build_the_same_bytes(tmp_path):
    shimmed = copy_project(ROOT, tmp_path / "shimmed", as_published=True)
    plain = copy_project(ROOT, tmp_path / "plain", as_published=True)
    assert perfdoc("check", str(shimmed)).returncode == 0
    done = perfdoc("build", str(shimmed))
    assert done.returncode == 0, out(done)
    assert perfdoc("build", str(plain), shim=False).returncode == 0
    built = digest_tree(shimmed / "build")
    assert len(built) >= 7 and built == digest_tree(plain / "build")
    done = perfdoc("fix", "--diff", str(shimmed))
    assert done.returncode == 0 and "苏财预〔2021〕11号" in out(done), out(done)


def test_crlf_and_utf16_sources_are_read_as_bytes(tmp_path):
    """Text mode would turn CRLF into LF (fix would rewrite the file) and stop a
    UTF-16 CSV at the byte 0x1A (业 is U+4E1A)."""
    project = copy_project(ROOT, tmp_path / "p", as_published=True)
    section = project / "content" / "02-evaluation.md"
    section.write_bytes(section.read_bytes().replace(b"\n", b"\r\n"))
    csv = project / "indicators" / "04-履职效益.csv"
    csv.write_bytes(csv.read_bytes().decode("utf-8-sig").replace("履职效益", "履职效益业")
                    .encode("utf-16"))
    before = section.read_bytes()
    done = perfdoc("check", str(project))
    assert done.returncode == 0 and "UTF-16" in out(done), out(done)
    done = perfdoc("fix", str(project))
    assert done.returncode == 0, out(done)
    assert section.read_bytes() == before.replace("苏财预【2021】11号".encode(),
                                                  "苏财预〔2021〕11号".encode())


def test_a_looping_template_still_meets_its_cpu_budget(tmp_path):
    project = copy_project(ROOT, tmp_path / "p")
    path = project / "content" / "03-achievements.md"
    path.write_text(path.read_text(encoding="utf-8")
                    + "\n{% for a in ('x' * 99999) | list %}{% for b in ('x' * 99999) | list %}"
                      "{% endfor %}{% endfor %}\n", encoding="utf-8")
    started = time.monotonic()
    done = perfdoc("check", str(project))
    assert done.returncode == 1 and "error[PD505]" in out(done), out(done)
    assert time.monotonic() - started < 10


def test_the_run_limit_still_stops_a_slow_run(tmp_path):
    """PERFDOC_TIME_LIMIT=1 on a check that takes longer (a template within its own
    budget, many times over): PD008, and nothing written."""
    project = copy_project(ROOT, tmp_path / "p")
    slow = ("{% for a in ('x' * 4000) | list %}{% for b in ('x' * 4000) | list %}{% endfor %}"
            "{% endfor %}")
    for section in sorted((project / "content").glob("0*.md")):
        section.write_text(section.read_text(encoding="utf-8") + f"\n{slow}\n", encoding="utf-8")
    started = time.monotonic()
    done = perfdoc("build", str(project), PERFDOC_TIME_LIMIT="1")
    assert done.returncode == 1 and "error[PD008]" in out(done), out(done)
    assert time.monotonic() - started < 10
    assert not (project / "build").exists()


def test_ctrl_c_still_stops_a_run(tmp_path):
    """The watchdog's SIGINT handler raises the limit's error only when a limit
    expired; a real Ctrl-C is still KeyboardInterrupt (exit 130)."""
    code = ("import time, sys\nfrom perfdoc.timers import interrupt_after, TimeLimit\n"
            "try:\n    with interrupt_after(30, TimeLimit):\n        print('ready', flush=True)\n"
            "        time.sleep(20)\nexcept KeyboardInterrupt:\n    sys.exit(130)\n")
    proc = subprocess.Popen([sys.executable, "-c", code], stdout=subprocess.PIPE,
                            env={**os.environ, "PYTHONPATH": str(SHIM)})
    assert proc.stdout.readline() == b"ready\n"
    proc.send_signal(2)
    assert proc.wait(timeout=10) == 130


def test_nested_limits_raise_the_innermost(monkeypatch):
    """In this process, with the signal timers hidden: the watchdog path."""
    import signal

    from perfdoc import timers

    monkeypatch.setattr(timers, "_has_signal_timers", lambda: False)

    class Outer(Exception):
        pass

    class Inner(Exception):
        pass
    with pytest.raises(Inner), timers.interrupt_after(5, Outer), \
            timers.interrupt_after(0.2, Inner, cpu=True):
        while True:
            pass
    with pytest.raises(Outer), timers.interrupt_after(0.3, Outer), timers.interrupt_after(5, Inner):
        time.sleep(2)  # wall time: sleeping counts
    # a limit that ended before its deadline leaves no interrupt behind
    with timers.interrupt_after(0.05, Outer):
        pass
    time.sleep(0.2)
    assert signal.getsignal(signal.SIGINT) is timers._on_sigint


@pytest.mark.parametrize("encoding", ["cp1252", "cp936", "ascii"])
def test_code_page_pipes_cannot_crash_a_command(tmp_path, encoding):
    """Text that the code page cannot hold (䶮 and ⑪ are outside cp1252, 䶮 outside
    GBK) in a file name, a section and a diagnostic: exit 0 or 1, never 3, and the
    files written are the same bytes as under UTF-8."""
    project = copy_project(ROOT, tmp_path / "p")
    other = copy_project(ROOT, tmp_path / "q")
    for root in (project, other):
        section = root / "content" / "03-achievements.md"
        section.write_text(section.read_text(encoding="utf-8") + "\n⑪ 䶮字,逗号 XX\n",
                           encoding="utf-8")
        folder = sorted((root / "projects").iterdir())[0]
        folder.rename(folder.parent / "01-䶮⑪项目")
    for args in (("check",), ("fix", "--diff"), ("fix", "--check")):
        done = perfdoc(*args, str(project), encoding=encoding)
        assert done.returncode in (0, 1), (args, out(done))
        assert "内部错误" not in out(done)
    done = perfdoc("build", str(project), encoding=encoding)
    assert done.returncode == 1, out(done)  # XX is a template leftover (PD401)
    section = project / "content" / "03-achievements.md"
    for root in (project, other):
        section = root / "content" / "03-achievements.md"
        section.write_text(section.read_text(encoding="utf-8").replace(" XX", ""),
                           encoding="utf-8")
    done = perfdoc("build", str(project), encoding=encoding)
    assert done.returncode == 0, out(done)
    assert "01-䶮⑪项目" in done.stdout.decode("utf-8")  # UTF-8 into a pipe
    assert perfdoc("build", str(other), shim=False).returncode == 0
    assert digest_tree(project / "build") == digest_tree(other / "build")


def gbk_locale() -> str | None:
    """A GBK locale, made with localedef when the machine lacks one (as root in CI)."""
    names = subprocess.run(["locale", "-a"], capture_output=True, text=True).stdout.split()
    for name in names:
        if name.lower().replace("-", "") in ("zh_cn.gbk", "zh_cn.gb18030"):
            return name
    if shutil.which("localedef"):
        done = subprocess.run(["localedef", "-f", "GBK", "-i", "zh_CN", "zh_CN.GBK"],
                              capture_output=True)
        if done.returncode in (0, 1):  # 1: warnings, the locale is written
            return "zh_CN.GBK"
    return None


def test_diff_in_a_chinese_folder_under_a_gbk_locale(tmp_path):
    """git quotes non-ASCII paths by default and speaks the locale's code page: perfdoc
    asks it for UTF-8 and unquoted, NUL-separated names."""
    # Names as a GBK system stores them: GBK bytes (this process reads them back through
    # its own file system encoding, whatever it is).
    def gbk(name: str) -> str:
        return os.fsdecode(name.encode("gbk"))
    top = tmp_path / gbk("报告仓库")
    project = copy_project(ROOT, top / gbk("二〇二〇年") / gbk("信息中心"))
    for args in (["init", "-q", "-b", "main"], ["add", "-A"],
                 ["-c", "user.name=审核人", "-c", "user.email=r@example.cn", "commit", "-qm", "自评"]):
        subprocess.run(["git", *args], cwd=top, check=True, capture_output=True)
    csv = project / "indicators" / "04-履职效益.csv"
    csv.write_text(csv.read_text(encoding="utf-8").replace(",8,8,", ",8,7,"), encoding="utf-8")
    locale = gbk_locale()
    if locale is None:
        if os.environ.get("CI"):
            pytest.fail("CI must be able to make a GBK locale (localedef)")
        pytest.skip("no GBK locale and no localedef to make one")
    # Run from the folder, as a writer would: the path bytes stay the file system's own
    # (here UTF-8, which a GBK interpreter would misread as an argument).
    done = perfdoc("diff", "HEAD", cwd=project, LANG=locale, LC_ALL=locale)
    assert done.returncode == 0, out(done)
    text = done.stdout.decode("utf-8")
    assert "公众满意度" in text and "8 → **7**" in text


def test_soffice_is_found_where_the_installers_put_it(tmp_path, monkeypatch):
    from perfdoc.word import pdf

    fake = tmp_path / "LibreOffice" / "program" / "soffice.exe"
    fake.parent.mkdir(parents=True)
    fake.write_text("")
    monkeypatch.setenv("PATH", str(tmp_path / "empty"))
    monkeypatch.delenv("PERFDOC_SOFFICE", raising=False)
    monkeypatch.setenv("ProgramFiles", str(tmp_path))
    assert pdf.soffice() == str(fake)
    monkeypatch.setenv("PERFDOC_SOFFICE", str(fake))
    monkeypatch.delenv("ProgramFiles")
    assert pdf.soffice() == str(fake)


def test_a_stale_file_held_open_does_not_fail_the_build(tmp_path, monkeypatch):
    """Windows refuses to delete a PDF a reader holds open: the build still succeeds."""
    from perfdoc.build import build

    project = copy_project(ROOT, tmp_path / "p")
    (project / "build").mkdir()
    held = project / "build" / "form.pdf"
    held.write_bytes(b"%PDF old")
    real_unlink = Path.unlink

    def unlink(self, missing_ok=False):
        if self == held:
            raise PermissionError(13, "另一个程序正在使用此文件")
        return real_unlink(self, missing_ok=missing_ok)
    monkeypatch.setattr(Path, "unlink", unlink)
    assert build(project).ok
    assert held.exists()


def test_a_file_held_open_in_word_replaces_nothing(tmp_path, monkeypatch):
    """On Windows a file Word holds open cannot be moved or replaced. Every old output is
    moved aside before any new one goes in, so that refusal leaves all of them as they
    were, and the message names the file to close."""
    import os as os_module

    from perfdoc.build import build

    project = copy_project(ROOT, tmp_path / "p")
    assert build(project).ok
    out = project / "build"
    before = digest_tree(out)
    section = project / "content" / "03-achievements.md"
    section.write_text(section.read_text(encoding="utf-8") + "\n新的一句。\n", encoding="utf-8")
    held = out / "report.docx"
    real_replace = os_module.replace

    def replace(src, dst):
        if held in (Path(src), Path(dst)):  # Word has it open: not moved, not replaced
            raise PermissionError(13, "另一个程序正在使用此文件，进程无法访问")
        return real_replace(src, dst)
    monkeypatch.setattr(os_module, "replace", replace)
    result = build(project)
    assert not result.ok
    [error] = result.diagnostics.errors
    assert error.code == "PD007" and "report.docx" in error.message and "关闭" in error.message
    assert digest_tree(out) == before  # form.docx, moved aside first, is back as it was
    assert not [p for p in out.rglob(".*")]  # no temporary or set-aside files left


@pytest.mark.parametrize("src,words", [
    ("images/图1.PNG", "大小写不一致"),
    ("Images/图1.png", "大小写不一致"),
    ("images\\图1.png", "请用 / 分隔"),
])
def test_an_image_path_that_works_only_on_windows_is_refused_everywhere(tmp_path, src, words):
    """Windows finds images/图1.PNG and images\\图1.png; Linux CI does not: the same
    diagnostic on every OS, saying why."""
    from conftest import tiny_png

    from perfdoc.rules.check import check_project

    project = copy_project(ROOT, tmp_path / "p")
    (project / "content" / "images").mkdir()
    (project / "content" / "images" / "图1.png").write_bytes(tiny_png())
    section = project / "content" / "03-achievements.md"
    section.write_text(section.read_text(encoding="utf-8") + f"\n![图](images/图1.png)\n\n"
                       f"![图]({src})\n", encoding="utf-8")
    _, diags = check_project(project)
    [error] = diags.errors
    assert error.code == "PD208" and words in error.message, error.message


def test_an_image_with_a_chinese_name_is_embedded(tmp_path):
    """markdown-it percent-encodes the path (%E5%9B%BE1.png): it is decoded before the file
    is looked up. Before, every Chinese-named image was PD208 "不存在"."""
    import zipfile

    from conftest import tiny_png

    from perfdoc.build import build

    project = copy_project(ROOT, tmp_path / "p")
    (project / "content" / "images").mkdir()
    (project / "content" / "images" / "组织结构图 1.png").write_bytes(tiny_png())
    section = project / "content" / "01-overview.md"
    section.write_text(section.read_text(encoding="utf-8")
                       + "\n![组织结构](<images/组织结构图 1.png>)\n", encoding="utf-8")
    result = build(project, tmp_path / "out")
    assert result.ok, [str(d) for d in result.diagnostics.items]
    with zipfile.ZipFile(tmp_path / "out" / "form.docx") as z:
        assert [n for n in z.namelist() if n.startswith("word/media/")]


def test_a_symlink_checked_out_as_text_says_so(tmp_path):
    """Git for Windows (core.symlinks=false) writes a link as a file holding its target:
    read as content it would be a broken picture or a section of one path."""
    from conftest import tiny_png

    from perfdoc.rules.check import check_project

    project = copy_project(ROOT, tmp_path / "p")
    (project / "content" / "images").mkdir()
    (project / "content" / "images" / "原图.png").write_bytes(tiny_png())
    (project / "content" / "images" / "图1.png").write_text("原图.png", encoding="utf-8")
    section = project / "content" / "03-achievements.md"
    section.write_text(section.read_text(encoding="utf-8") + "\n![图](images/图1.png)\n",
                       encoding="utf-8")
    (project / "content" / "06-附件.md").write_text("03-achievements.md", encoding="utf-8")
    _, diags = check_project(project)
    found = {(e.code, Path(e.path).name): e.message for e in diags.errors}
    assert set(found) == {("PD208", "03-achievements.md"), ("PD005", "06-附件.md")}, found
    assert all("core.symlinks" in message for message in found.values())
    assert "“原图.png”" in found["PD208", "03-achievements.md"]


def test_a_revision_with_a_name_windows_cannot_create_is_a_clear_error(tmp_path, monkeypatch):
    """An old revision committed on Linux may hold CON.md, a:b.csv or a trailing dot:
    extracting it on Windows raised OSError (exit 3)."""
    import perfdoc.review.revisions as revisions

    assert revisions.windows_unsafe("content/CON.md")
    assert revisions.windows_unsafe("indicators/a:b.csv")
    assert revisions.windows_unsafe("content/草稿.")
    assert not revisions.windows_unsafe("content/01-概况.md")
    project = copy_project(ROOT, tmp_path / "p")
    (project / "content" / "nul.md").write_text("草稿\n", encoding="utf-8")
    for args in (["init", "-q", "-b", "main"], ["add", "-A"],
                 ["-c", "user.name=r", "-c", "user.email=r@example.cn", "commit", "-qm", "x"]):
        subprocess.run(["git", *args], cwd=project, check=True, capture_output=True)
    monkeypatch.setattr(revisions, "ON_WINDOWS", True)
    with pytest.raises(revisions.RevisionError, match="nul.md 在 Windows 上无法创建"), \
            revisions.checkout(project, "HEAD"):
        pass


def test_a_killed_builds_leftovers_are_swept(tmp_path):
    """Windows ends a process without cleanup and shows dot files: the next build
    removes what an earlier, killed one left (and keeps a fresh one: another build's)."""
    from perfdoc.build import build

    project = copy_project(ROOT, tmp_path / "p")
    out_dir = project / "build"
    out_dir.mkdir()
    old = [out_dir / ".form.docx.k2j3.tmp", out_dir / ".report.docx.4242.old"]
    fresh = out_dir / ".form.docx.new1.tmp"
    for path in [*old, fresh]:
        path.write_bytes(b"partial")
    for path in old:
        os.utime(path, (time.time() - 3600, time.time() - 3600))
    assert build(project).ok
    assert not any(p.exists() for p in old) and fresh.exists()
