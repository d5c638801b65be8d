"""The command line as a user runs it: exit codes, messages, and what is left on disk."""

from __future__ import annotations

import hashlib
import subprocess
import sys
from pathlib import Path

from conftest import ROOT


def perfdoc(*args: str, cwd: Path | None = None) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "perfdoc", *args], cwd=cwd,
                          capture_output=True, text=True, timeout=120)


def digest_tree(root: Path) -> dict[str, str]:
    return {p.relative_to(root).as_posix(): hashlib.sha256(p.read_bytes()).hexdigest()
            for p in sorted(root.rglob("*")) if p.is_file()}


def test_build_writes_the_form_and_changes_no_source(sample_copy):
    before = digest_tree(sample_copy)
    done = perfdoc("build", str(sample_copy))
    assert done.returncode == 0, done.stdout + done.stderr
    assert "form.docx" in done.stdout
    assert (sample_copy / "build" / "form.docx").stat().st_size > 10_000
    after = {k: v for k, v in digest_tree(sample_copy).items() if not k.startswith("build/")}
    assert after == before


def test_build_defaults_to_the_current_folder(sample_copy):
    done = perfdoc("build", cwd=sample_copy)
    assert done.returncode == 0, done.stdout + done.stderr
    assert (sample_copy / "build" / "form.docx").is_file()


def test_check_is_clean_on_the_sample():
    done = perfdoc("check", str(ROOT))
    assert done.returncode == 0, done.stdout
    assert "检查通过" in done.stdout


def test_failed_build_keeps_the_last_good_output(sample_copy):
    assert perfdoc("build", str(sample_copy)).returncode == 0
    form = sample_copy / "build" / "form.docx"
    good = form.read_bytes()
    csv = sample_copy / "indicators" / "01-部门决策.csv"
    csv.write_text(csv.read_text(encoding="utf-8").replace(",5,5,完成", ",5,6,完成", 1),
                   encoding="utf-8")
    done = perfdoc("build", str(sample_copy))
    assert done.returncode == 1
    assert "indicators/01-部门决策.csv:2:得分: error[PD309]: 得分 6 大于分值 5" in done.stdout
    assert "未生成文件" in done.stdout
    assert form.read_bytes() == good
    assert sorted(p.name for p in form.parent.iterdir()) == ["form.docx"]  # no temp files


def test_usage_errors_exit_2(tmp_path):
    done = perfdoc("check", str(tmp_path / "missing"))
    assert done.returncode == 2 and "PD001" in done.stderr
    done = perfdoc("build", str(tmp_path))
    assert done.returncode == 2 and "PD002" in done.stderr
    done = perfdoc("frobnicate")
    assert done.returncode == 2 and "Traceback" not in done.stderr


def test_all_problems_in_one_run_sorted(sample_copy):
    (sample_copy / "content" / "05-suggestions.md").unlink()
    csv = sample_copy / "indicators" / "02-部门管理.csv"
    text = csv.read_text(encoding="utf-8")
    csv.write_text(text.replace("专款专用率,3,3", "专款专用率,3,三").replace("档案管理星级,3,3", "档案管理星级,3,4"),
                   encoding="utf-8")
    done = perfdoc("check", str(sample_copy))
    assert done.returncode == 1
    lines = done.stdout.strip().splitlines()
    assert lines[:-1] == [
        "content: error[PD206]: 缺少“五、有关建议”部分：请新建 content/*.md，frontmatter 写 section: suggestions",
        "indicators/02-部门管理.csv:2:得分: error[PD308]: 得分“三”不是非负数字，应写作 3、3.0 或 49.04 这样的半角数字",
        "indicators/02-部门管理.csv:8:得分: error[PD309]: 得分 4 大于分值 3",
    ]
    assert lines[-1] == "发现 3 个错误，0 个警告。"
