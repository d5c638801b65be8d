"""perfdoc diff in a throwaway git repository: exactly the changes, old and new values."""

from __future__ import annotations

import subprocess
import sys

import pytest
from conftest import ROOT, copy_project

from perfdoc.review.diff import char_diff


def git(repo, *args):
    subprocess.run(["git", "-c", "user.name=审核人", "-c", "user.email=r@example.cn", *args],
                   cwd=repo, check=True, capture_output=True)


def perfdoc(*args, cwd):
    return subprocess.run([sys.executable, "-m", "perfdoc", *args], cwd=cwd,
                          capture_output=True, text=True, timeout=120)


@pytest.fixture()
def repo(tmp_path):
    """The sample committed on main, then a branch with three edits in the working tree."""
    repo = copy_project(ROOT, tmp_path / "repo")
    git(repo, "init", "-q", "-b", "main")
    git(repo, "add", "-A")
    git(repo, "commit", "-qm", "2020 自评")
    git(repo, "checkout", "-q", "-b", "edit")
    csv = repo / "indicators" / "04-履职效益.csv"
    csv.write_text("一级指标,二级指标,分值,得分,说明\n履职效益,公众满意度,8,6.5,满意度81%\n",
                   encoding="utf-8")
    csv = repo / "indicators" / "02-部门管理.csv"
    csv.write_text(csv.read_text(encoding="utf-8").replace(",5级", ",4级"), encoding="utf-8")
    for name, text in (("04-problems.md", "满意度调查得分偏低。"), ("05-suggestions.md", "改进服务。")):
        path = repo / "content" / name
        path.write_text(path.read_text(encoding="utf-8").replace("\n无\n", f"\n{text}\n"),
                        encoding="utf-8")
    return repo


def test_diff_names_exactly_the_changes(repo):
    done = perfdoc("diff", cwd=repo)
    assert done.returncode == 0, done.stderr
    out = done.stdout
    assert "| 总得分 | 100 | 98.5 **（变化）** |" in out
    assert "| 等级 | 优 | 优 |" in out
    assert "| 履职效益／公众满意度 | 8 | 8 → **6.5** |" in out
    assert "- 部门管理／档案管理星级：<del>5</del><ins>4</ins>级" in out
    assert "- 履职效益／公众满意度：<ins>满意度81%</ins>" in out
    assert "#### 四、存在问题（content/04-problems.md）" in out
    assert "- <del>无</del><ins>满意度调查得分偏低。</ins>" in out
    # and nothing else: only these indicators and sections are mentioned
    assert out.count("| 部门") == 0 and "新增指标" not in out and "移动" not in out
    assert "三、主要绩效" not in out


def test_diff_between_two_revisions(repo):
    git(repo, "add", "-A")
    git(repo, "commit", "-qm", "扣分")
    done = perfdoc("diff", "main", "edit", cwd=repo)
    assert done.returncode == 0, done.stderr
    assert "### perfdoc：main → edit" in done.stdout
    assert "98.5" in done.stdout
    same = perfdoc("diff", "edit", "edit", cwd=repo)
    assert "没有实质变化" in same.stdout


def test_added_removed_and_moved_indicators(repo):
    git(repo, "checkout", "-q", "--", ".")
    csv = repo / "indicators" / "01-部门决策.csv"
    lines = csv.read_text(encoding="utf-8").splitlines()
    # move 预算调整率 above 财务管理规范性, drop 支出预算执行率 into a new indicator's place
    lines[5], lines[6] = lines[6], lines[5]
    lines[7] = ",预算绩效管理情况,3,3,完成"
    csv.write_text("\n".join(lines) + "\n", encoding="utf-8")
    out = perfdoc("diff", cwd=repo).stdout
    assert "#### 新增指标\n\n- 部门决策／预算绩效管理情况（分值 3，得分 3" in out
    assert "#### 删除的指标\n\n- 部门决策／支出预算执行率" in out
    assert "#### 移动的指标" in out and "部门决策／" in out.split("#### 移动的指标")[1]


def test_unknown_revision_and_revision_without_sources(repo):
    done = perfdoc("diff", "no-such-branch", cwd=repo)
    assert done.returncode == 2 and "未知的 git 版本“no-such-branch”" in done.stderr
    git(repo, "add", "-A")
    git(repo, "commit", "-qm", "edits")
    git(repo, "checkout", "-q", "--orphan", "empty")
    git(repo, "rm", "-rfq", ".")
    (repo / "other").mkdir()
    (repo / "other" / "x.txt").write_text("x", encoding="utf-8")
    git(repo, "add", "other")
    git(repo, "commit", "-qm", "no sources")
    git(repo, "checkout", "-q", "-f", "edit")
    done = perfdoc("diff", "empty", "edit", cwd=repo)
    assert done.returncode == 2 and "没有 perfdoc 源文件" in done.stderr
    assert "Traceback" not in done.stderr


def test_a_project_in_a_subfolder_without_a_remote(tmp_path):
    top = tmp_path / "top"
    project = copy_project(ROOT, top / "2020")
    git(top, "init", "-q", "-b", "main")
    git(top, "add", "-A")
    git(top, "commit", "-qm", "x")
    path = project / "content" / "04-problems.md"
    path.write_text(path.read_text(encoding="utf-8").replace("\n无\n", "\n暂无。\n"),
                    encoding="utf-8")
    done = perfdoc("diff", "-C", "2020", cwd=top)
    assert done.returncode == 0, done.stderr
    assert "- <ins>暂</ins>无<ins>。</ins>" in done.stdout
    assert "标题" not in done.stdout


def test_char_diff_is_character_level():
    assert char_diff("完成年度计划", "基本完成年度计划") == "<ins>基本</ins>完成年度计划"
    assert char_diff("a|b", "a|c") == "a\\|<del>b</del><ins>c</ins>"


def test_diff_reports_project_changes(repo):
    folder = repo / "projects" / "02-商务运行监测平台升级"
    md = folder / "project.md"
    md.write_text(md.read_text(encoding="utf-8").replace("全年执行数: 98.6}", "全年执行数: 110}"),
                  encoding="utf-8")
    csv = folder / "indicators.csv"
    csv.write_text(csv.read_text(encoding="utf-8").replace(",88%,15,13,", ",86%,15,12,"),
                   encoding="utf-8")
    done = perfdoc("diff", cwd=repo)
    assert done.returncode == 0, done.stderr
    out = done.stdout
    assert "#### 项目：320000201002-商务运行监测平台升级（projects/02-商务运行监测平台升级）" in out
    # 110 / 120 = 91.67 %: score 9.16; 84.5 - 1 + 9.16 = 92.66
    assert "| 总分 | 92.71 | **92.66** |" in out
    assert "| 执行率 | 82.17% | **91.67%** |" in out
    assert "| 执行数（万元） | 98.6 | **110** |" in out
    assert "| 满意度指标／服务对象满意度指标／企业用户满意度 | 15 | 13 → **12** |" in out
    assert "电子政务外网运维（" not in out  # unchanged projects are not mentioned
