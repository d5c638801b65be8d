"""perfdoc init: a new report repository that builds, with CI files that make sense."""

from __future__ import annotations

import os
import re
import shlex
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
import yaml
from conftest import ROOT

from perfdoc.cli import parser
from perfdoc.rules.check import check_project

PERFDOC = Path(sys.executable).with_name("perfdoc")  # the installed console script


def test_init_then_make_docx_builds(tmp_path):
    target = tmp_path / "信息中心-2021"
    done = subprocess.run([str(PERFDOC), "init", str(target), "--year", "2021",
                           "--unit", "江苏省商务厅信息中心"], capture_output=True, text=True)
    assert done.returncode == 0, done.stderr
    for name in ("content/report.md", "indicators/01-部门决策.csv", "Makefile", "README.md",
                 ".gitignore", ".github/workflows/perfdoc.yml", ".gitlab-ci.yml"):
        assert (target / name).is_file(), name
    report, diags = check_project(target)
    assert not diags.items, [str(d) for d in diags.items]
    assert (report.facts.year, report.facts.unit) == (2021, "江苏省商务厅信息中心")
    assert shutil.which("make")
    done = subprocess.run(["make", "docx", f"PERFDOC={PERFDOC}"], cwd=target,
                          capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stdout + done.stderr
    assert sorted(p.name for p in (target / "build").iterdir()) == ["form.docx", "report.docx",
                                                                    "scores.xlsx"]


def test_init_refuses_an_existing_report_unless_forced(tmp_path):
    shutil.copytree(ROOT / "content", tmp_path / "content")
    before = (tmp_path / "content" / "01-overview.md").read_bytes()
    done = subprocess.run([str(PERFDOC), "init", str(tmp_path)], capture_output=True, text=True)
    assert done.returncode == 2 and "不会覆盖" in done.stderr
    assert (tmp_path / "content" / "01-overview.md").read_bytes() == before
    done = subprocess.run([str(PERFDOC), "init", str(tmp_path), "--force"], capture_output=True,
                          text=True)
    assert done.returncode == 0


def test_unit_names_that_yaml_would_misread_are_quoted(tmp_path):
    subprocess.run([str(PERFDOC), "init", str(tmp_path / "x"), "--unit", "某局: 办公室 #1"],
                   check=True, capture_output=True)
    report, _ = check_project(tmp_path / "x")
    assert report.facts.unit == "某局: 办公室 #1"


def perfdoc_commands(script: str) -> list[list[str]]:
    """Every `perfdoc …` command line in a CI script, as arguments."""
    commands = []
    for line in script.splitlines():
        line = line.split(">>")[0].split("|")[0].strip()
        if "perfdoc " in line and not line.startswith(("pip", "#")):
            words = shlex.split(line[line.index("perfdoc "):])
            commands.append(words[1:])
    return commands


def parses(args: list[str]) -> bool:
    try:
        parser().parse_args(args)
    except SystemExit:
        return False
    return True


@pytest.mark.parametrize("path", [".github/workflows/perfdoc.yml", ".gitlab-ci.yml"])
def test_ci_files_parse_and_call_real_commands(tmp_path, path):
    subprocess.run([str(PERFDOC), "init", str(tmp_path)], check=True, capture_output=True)
    data = yaml.safe_load((tmp_path / path).read_text(encoding="utf-8"))
    if path.startswith(".github"):
        steps = data["jobs"]["report"]["steps"]
        scripts = [s["run"] for s in steps if "run" in s]
        assert any("upload-artifact" in s.get("uses", "") for s in steps)
        triggers = data.get("on", data.get(True))  # YAML 1.1 reads a bare `on` as true
        assert "pull_request" in triggers
        windows = data["jobs"]["windows"]  # optional, off unless the variable says so
        assert windows["runs-on"] == "windows-latest" and "vars.PERFDOC_WINDOWS" in windows["if"]
        assert windows["defaults"]["run"]["shell"] == "bash"
        windows_runs = [s["run"] for s in windows["steps"] if "run" in s]
        assert {c[0] for s in windows_runs for c in perfdoc_commands(s)} == {"check", "build"}
        scripts += windows_runs
    else:
        scripts = data["perfdoc"]["script"]
        assert "build/" in data["perfdoc"]["artifacts"]["paths"]
    commands = [c for s in scripts for c in perfdoc_commands(s)]
    assert {c[0] for c in commands} == {"check", "fix", "build", "diff"}
    assert ["fix", "--check"] in commands
    installs = [line.strip() for script in scripts for line in script.splitlines()
                if line.strip().startswith("pip install")]
    assert installs and all("-r requirements-perfdoc.txt" in line for line in installs)
    assert all(parses(c) for c in commands), commands


def test_pre_commit_hook_definitions():
    hooks = yaml.safe_load((ROOT / ".pre-commit-hooks.yaml").read_text(encoding="utf-8"))
    assert [h["id"] for h in hooks] == ["perfdoc-check", "perfdoc-fix"]
    for hook in hooks:
        assert hook["pass_filenames"] is False
        words = hook["entry"].split()
        assert words[0] == "perfdoc" and parses(words[1:])
    assert hooks[1]["entry"] == "perfdoc fix --check"


def test_the_pinned_install_line_installs(tmp_path):
    """CI installs what requirements-perfdoc.txt names: by default this perfdoc at its
    commit (not PyPI's "perfdoc", which does not exist). Here a fresh virtual
    environment installs the scaffold's line pointed at this checkout by path."""
    subprocess.run([str(PERFDOC), "init", str(tmp_path / "r")], check=True, capture_output=True)
    lines = (tmp_path / "r" / "requirements-perfdoc.txt").read_text(encoding="utf-8").splitlines()
    (spec,) = [line for line in lines if line and not line.startswith("#")]
    name, _, url = spec.partition(" @ ")
    assert name == "perfdoc" and re.fullmatch(r"git\+\S+@[0-9a-f]{40}|file://\S+", url), spec
    env = {**os.environ, "PERFDOC_SPEC": f"perfdoc @ {ROOT.as_uri()}"}
    subprocess.run([str(PERFDOC), "init", str(tmp_path / "r2")], env=env, check=True,
                   capture_output=True)
    written = (tmp_path / "r2" / "requirements-perfdoc.txt").read_text(encoding="utf-8")
    assert written.splitlines()[-1] == f"perfdoc @ {ROOT.as_uri()}"  # overridable, one place
    subprocess.run([sys.executable, "-m", "venv", str(tmp_path / "venv")], check=True)
    pip = tmp_path / "venv" / "bin" / "pip"
    done = subprocess.run([str(pip), "install", "--quiet", "--no-deps", "-r",
                           str(tmp_path / "r2" / "requirements-perfdoc.txt")],
                          capture_output=True, text=True, timeout=600)
    assert done.returncode == 0, done.stderr[-2000:]
    version = subprocess.run([str(tmp_path / "venv" / "bin" / "perfdoc"), "--version"],
                             capture_output=True, text=True)
    assert version.stdout.startswith("perfdoc ")


def test_a_report_repository_sets_itself_up_from_its_readme(tmp_path):
    """The writers clone the report repository, not perfdoc: its README's `make docx`
    creates .venv from requirements-perfdoc.txt and builds, with no perfdoc on PATH."""
    # perfdoc's sources alone (a copy: building in place would write into build/ here)
    source = tmp_path / "perfdoc-src"
    shutil.copytree(ROOT / "perfdoc", source / "perfdoc",
                    ignore=shutil.ignore_patterns("__pycache__"))
    for name in ("pyproject.toml", "README.md"):
        shutil.copy(ROOT / name, source / name)
    repo = tmp_path / "report"
    env = {**os.environ, "PERFDOC_SPEC": f"perfdoc @ {source.as_uri()}"}
    done = subprocess.run([str(PERFDOC), "init", str(repo), "--year", "2021", "--unit", "示例单位"],
                          capture_output=True, text=True, env=env)
    assert done.returncode == 0, done.stderr
    assert "perfdoc build" in done.stdout  # the next step without make, too
    readme = (repo / "README.md").read_text(encoding="utf-8")
    assert "make docx" in readme and "requirements-perfdoc.txt" in readme
    git = ["git", "-c", "user.name=t", "-c", "user.email=t@example.cn"]
    for args in (["init", "-q", "-b", "main"], ["add", "-A"], ["commit", "-qm", "init"]):
        subprocess.run([*git, *args], cwd=repo, check=True, capture_output=True)
    clone = tmp_path / "clone"
    subprocess.run(["git", "clone", "-q", str(repo), str(clone)], check=True)
    bin_dir = str(Path(sys.executable).parent)
    path = os.pathsep.join(p for p in os.environ["PATH"].split(os.pathsep) if p != bin_dir)
    clean = {k: v for k, v in os.environ.items() if k not in ("PERFDOC", "VIRTUAL_ENV")}
    assert shutil.which("perfdoc", path=path) is None
    done = subprocess.run(["make", "docx", f"PYTHON={sys.base_prefix}/bin/python3"], cwd=clone,
                          capture_output=True, text=True, timeout=600, env={**clean, "PATH": path})
    assert done.returncode == 0, (done.stdout + done.stderr)[-3000:]
    assert (clone / "build" / "form.docx").is_file()
    assert (clone / ".venv" / "bin" / "perfdoc").is_file()
    status = subprocess.run(["git", "status", "--porcelain"], cwd=clone, capture_output=True,
                            text=True).stdout
    assert status == ""  # .venv and build are ignored


def test_a_perfdoc_installed_from_a_wheel_can_init_a_repository_ci_can_install(tmp_path):
    """The wheel carries every data file (scaffold, layouts, templates); init from a venv
    that installed it vendors the wheel, because CI cannot reach this machine's
    site-packages, and the written requirements line installs in a fresh venv."""
    import zipfile

    source = tmp_path / "perfdoc-src"  # a copy: pip builds a local folder in place
    shutil.copytree(ROOT / "perfdoc", source / "perfdoc",
                    ignore=shutil.ignore_patterns("__pycache__"))
    for name in ("pyproject.toml", "README.md"):
        shutil.copy(ROOT / name, source / name)
    done = subprocess.run([sys.executable, "-m", "pip", "wheel", "--quiet", "--no-deps", "-w",
                           str(tmp_path / "dist"), str(source)], capture_output=True, text=True,
                          timeout=600)
    assert done.returncode == 0, done.stderr[-2000:]
    (wheel,) = (tmp_path / "dist").glob("perfdoc-*.whl")
    data_files = {p.relative_to(source).as_posix() for p in (source / "perfdoc").rglob("*")
                  if p.is_file() and p.suffix != ".py"}
    assert "perfdoc/review/scaffold/requirements-perfdoc.txt" in data_files
    with zipfile.ZipFile(wheel) as z:
        assert data_files <= set(z.namelist()), data_files - set(z.namelist())

    def venv(name: str) -> Path:
        subprocess.run([sys.executable, "-m", "venv", str(tmp_path / name)], check=True)
        # perfdoc's dependencies from this test's environment (no download); perfdoc
        # itself only from the wheel: a .pth adds a folder, not its editable finders.
        site = subprocess.run([str(tmp_path / name / "bin" / "python"), "-c",
                               "import sysconfig; print(sysconfig.get_path('purelib'))"],
                              capture_output=True, text=True, check=True).stdout.strip()
        deps = next(p for p in map(Path, sys.path) if (p / "docx").is_dir())
        (Path(site) / "deps.pth").write_text(f"{deps}\n", encoding="utf-8")
        return tmp_path / name / "bin"

    first = venv("installed")
    done = subprocess.run([str(first / "pip"), "install", "--quiet", "--no-deps", str(wheel)],
                          capture_output=True, text=True, timeout=600)
    assert done.returncode == 0, done.stderr[-2000:]
    env = {k: v for k, v in os.environ.items() if k != "PERFDOC_SPEC"}
    where = subprocess.run([str(first / "python"), "-c", "import perfdoc; print(perfdoc.__file__)"],
                           capture_output=True, text=True, env=env, cwd=tmp_path).stdout
    assert where.startswith(str(tmp_path / "installed")), where
    repo = tmp_path / "report"
    done = subprocess.run([str(first / "perfdoc"), "init", str(repo), "--unit", "示例单位"],
                          capture_output=True, text=True, env=env, cwd=tmp_path)
    assert done.returncode == 0, done.stdout + done.stderr
    lines = (repo / "requirements-perfdoc.txt").read_text(encoding="utf-8").splitlines()
    assert lines[-1] == f"./vendor/{wheel.name}" and (repo / "vendor" / wheel.name).is_file()
    second = venv("fresh")
    done = subprocess.run([str(second / "pip"), "install", "--quiet", "--no-deps", "-r",
                           "requirements-perfdoc.txt"], cwd=repo, capture_output=True,
                          text=True, timeout=600)
    assert done.returncode == 0, done.stderr[-2000:]
    done = subprocess.run([str(second / "perfdoc"), "check", "."], cwd=repo,
                          capture_output=True, text=True, env=env)
    assert done.returncode in (0, 1), done.stdout + done.stderr  # the blanks to fill: 1
