"""Same sources, same bytes: whatever the time, time zone or build folder."""

from __future__ import annotations

import hashlib
import os
import re
import subprocess
import sys
import time
import zipfile

from conftest import ROOT, copy_project

OUTPUTS = ("form.docx", "report.docx", "scores.xlsx", "projects.xlsx",
           "projects/01-电子政务外网运维.docx", "projects/02-商务运行监测平台升级.docx",
           "projects/03-视频会议系统扩容.docx")


def build_in(project, env_extra=None):
    env = {k: v for k, v in os.environ.items() if k != "SOURCE_DATE_EPOCH"}
    env.update(env_extra or {})
    done = subprocess.run([sys.executable, "-m", "perfdoc", "build", str(project)], env=env,
                          capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stdout + done.stderr
    return done.stdout


def digests(folder):
    built = sorted(p.relative_to(folder / "build").as_posix()
                   for p in (folder / "build").rglob("*") if p.is_file())
    assert built == sorted(OUTPUTS)
    return {n: hashlib.sha256((folder / "build" / n).read_bytes()).hexdigest() for n in OUTPUTS}


def test_two_folders_two_times_two_time_zones(tmp_path):
    one = copy_project(ROOT, tmp_path / "one")
    two = copy_project(ROOT, tmp_path / "elsewhere" / "two")
    out = build_in(one, {"TZ": "UTC"})
    time.sleep(2.1)  # zip timestamps have two-second resolution
    build_in(two, {"TZ": "Asia/Shanghai"})
    first, second = digests(one), digests(two)
    assert first == second
    # the build prints what it wrote, with the same digests
    for name, digest in first.items():
        assert re.search(rf"build/{re.escape(name)}\s+sha256:{digest}", out)


def core_dates(path):
    with zipfile.ZipFile(path) as z:
        xml = z.read("docProps/core.xml").decode()
        stamps = {i.date_time for i in z.infolist()}
    return re.findall(r"<dcterms:(created|modified)[^>]*>([^<]+)<", xml), stamps


def test_source_date_epoch_sets_the_document_properties(tmp_path):
    project = copy_project(ROOT, tmp_path / "p")
    build_in(project, {"SOURCE_DATE_EPOCH": "1609459200"})  # 2021-01-01T00:00:00Z
    for name in OUTPUTS:
        dates, stamps = core_dates(project / "build" / name)
        assert sorted(dates) == [("created", "2021-01-01T00:00:00Z"),
                                 ("modified", "2021-01-01T00:00:00Z")], name
        assert stamps == {(2021, 1, 1, 0, 0, 0)}
    first = digests(project)
    build_in(project, {"SOURCE_DATE_EPOCH": "1612137600"})  # another date, other bytes
    assert digests(project) != first


def test_without_the_variable_the_last_commit_that_touched_the_sources(tmp_path):
    project = copy_project(ROOT, tmp_path / "p")
    env = {**os.environ, "GIT_AUTHOR_DATE": "2021-03-04T05:06:07Z",
           "GIT_COMMITTER_DATE": "2021-03-04T05:06:07Z"}
    for args in (["init", "-q"], ["add", "-A"],
                 ["-c", "user.name=t", "-c", "user.email=t@example.cn", "commit", "-qm", "x"]):
        subprocess.run(["git", *args], cwd=project, env=env, check=True)
    build_in(project)
    dates, _ = core_dates(project / "build" / "form.docx")
    assert ("modified", "2021-03-04T05:06:07Z") in dates


def test_outside_git_a_fixed_date(tmp_path):
    project = copy_project(ROOT, tmp_path / "p")
    build_in(project)
    dates, _ = core_dates(project / "build" / "report.docx")
    assert ("created", "1980-01-01T00:00:00Z") in dates
