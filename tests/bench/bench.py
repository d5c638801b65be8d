"""`make bench`: perfdoc build at 1x, 10x and 100x the sample, against pandoc.

Each case times the whole process (`perfdoc build DIR`: check + form + report +
xlsx) and, as the reference, pandoc (pypandoc-binary) converting the same
Markdown plus the indicator table as a GFM table to docx. Median wall time over
several runs after a warm-up; peak RSS of each child from wait4. The outputs
timed are checked (they open, and hold every indicator row), so a fast wrong
build cannot score. Results go to BENCHMARKS.md.
"""

from __future__ import annotations

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
from launcher import Launcher  # noqa: E402

# Started before the bench loads anything (see tests/launcher.py): it starts every
# timed command, so each reports its own peak memory.
LAUNCHER = Launcher()

import argparse  # noqa: E402
import compileall  # noqa: E402
import datetime  # noqa: E402
import os  # noqa: E402
import platform  # noqa: E402
import re  # noqa: E402
import socket  # noqa: E402
import statistics  # noqa: E402
import subprocess  # noqa: E402
import tempfile  # noqa: E402
import time  # noqa: E402
import zipfile  # noqa: E402
from importlib.metadata import version  # noqa: E402

import docx  # noqa: E402
import pypandoc  # noqa: E402

sys.path.insert(0, str(Path(__file__).parent))
from synthetic import PROJECT_ROWS, ROOT, make_project, make_projects  # noqa: E402

from perfdoc.rules.check import check_project  # noqa: E402

PERFDOC = Path(sys.executable).with_name("perfdoc")
SCALES = {1: 7, 10: 5, 100: 3}  # scale -> timed runs (after one warm-up)
PROJECT_COUNTS = (5, 10, 25, 50)  # projects beside the 1x sample; 3 timed runs each
W = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}"


# As on a user's machine, Python caches bytecode (this workplace sets
# PYTHONDONTWRITEBYTECODE, which would time the compiler instead).
ENV = {k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"}


def run(cmd: list[str]) -> tuple[float, int]:
    """Wall seconds and peak RSS (MB) of one child process, started by LAUNCHER."""
    done = LAUNCHER.run(cmd, env=ENV, timeout=600)
    if done is None or done.returncode:
        raise SystemExit(f"failed: {' '.join(cmd)}\n{done.stderr if done else 'timed out'}")
    return done.seconds, int(done.peak_mb)


def pandoc_input(project: Path, dest: Path) -> None:
    """The same text perfdoc renders (templates filled in), plus a GFM indicator table."""
    report, diags = check_project(project)
    assert report is not None and not diags.errors, [str(d) for d in diags.errors]
    parts = [f"# {report.report_title}\n"]
    for section in report.sections.values():
        parts.append(f"## {section.title}\n\n{section.body}\n")
    parts.append("| 一级指标 | 二级指标 | 分值 | 得分 | 说明 |\n|---|---|---|---|---|\n")
    for ind in report.indicators:
        cells = [*ind.levels, str(ind.weight), str(ind.score), ind.note]
        parts.append("| " + " | ".join(c.replace("|", "\\|") for c in cells) + " |\n")
    dest.write_text("\n".join(parts), encoding="utf-8")


def verify(project: Path, rows: int) -> None:
    """The timed outputs are whole and hold every indicator row."""
    form = docx.Document(str(project / "build" / "form.docx"))
    report = docx.Document(str(project / "build" / "report.docx"))
    form_rows = len(form.element.body.findall(f"{W}tbl")[1].findall(f"{W}tr"))
    report_rows = len(report.element.body.findall(f"{W}tbl")[0].findall(f"{W}tr"))
    # form: 评价指标 + header + rows + 合计; report: header + rows + 合计 + 等级
    assert form_rows == rows + 3, (form_rows, rows)
    assert report_rows == rows + 3, (report_rows, rows)
    assert (project / "build" / "scores.xlsx").stat().st_size > 0


def measure(scale: int, runs: int, work: Path) -> dict:
    project, rows = make_project(scale, work / f"x{scale}")
    md_kb = sum(p.stat().st_size for p in (project / "content").glob("*.md")) / 1024
    source = work / f"x{scale}.md"
    pandoc_input(project, source)
    pandoc = pypandoc.get_pandoc_path()
    ours = [str(PERFDOC), "build", str(project)]
    theirs = [pandoc, "-f", "gfm", "-t", "docx", "-o", str(work / f"x{scale}.docx"), str(source)]
    results = {}
    for name, cmd in (("perfdoc", ours), ("pandoc", theirs)):
        run(cmd)  # warm-up
        samples = [run(cmd) for _ in range(runs)]
        results[name] = (statistics.median(s[0] for s in samples), max(s[1] for s in samples))
    verify(project, rows)
    return {"scale": scale, "rows": rows, "md_kb": md_kb, "runs": runs,
            "perfdoc": results["perfdoc"], "pandoc": results["pandoc"]}


def verify_projects(project: Path, count: int) -> None:
    """Every project form is whole and holds its indicator rows; the 汇总表 one row each."""
    forms = sorted((project / "build" / "projects").glob("*.docx"))
    assert len(forms) == count, len(forms)
    for form in (forms[0], forms[-1]):
        tables = docx.Document(str(form)).element.body.findall(f"{W}tbl")
        assert len(tables[1].findall(f"{W}tr")) >= PROJECT_ROWS + 2, form
    with zipfile.ZipFile(project / "build" / "projects.xlsx") as z:
        sheet = z.read("xl/worksheets/sheet1.xml").decode()
    assert sheet.count("<row ") == count + 2


def measure_projects(count: int, work: Path) -> dict:
    project = make_projects(count, work / f"p{count}")
    cmd = [str(PERFDOC), "build", str(project)]
    run(cmd)  # warm-up
    samples = [run(cmd) for _ in range(3)]
    verify_projects(project, count)
    return {"count": count, "seconds": statistics.median(s[0] for s in samples),
            "rss": max(s[1] for s in samples)}


def projects_table(results: list[dict]) -> list[str]:
    base = results[0]
    lines = [
        "",
        "## Projects",
        "",
        f"The 1× sample plus N synthetic projects of {PROJECT_ROWS} indicators each (every "
        "fifth in the Sichuan layout): the whole `perfdoc build` (department form, report, "
        "scores.xlsx, N project forms, projects.xlsx), median of 3 runs after a warm-up. "
        f"\"Per extra project\" is the time added per project beyond the first "
        f"{base['count']}: constant when the build is linear in the number of projects.",
        "",
        "| projects | indicator rows in projects | perfdoc | per extra project | peak RSS |",
        "|---|---|---|---|---|",
    ]
    for r in results:
        extra = ((r["seconds"] - base["seconds"]) / (r["count"] - base["count"]) * 1000
                 if r["count"] > base["count"] else None)
        lines.append(f"| {r['count']} | {r['count'] * PROJECT_ROWS} | {r['seconds']:.2f} s | "
                     f"{f'{extra:.1f} ms' if extra is not None else '—'} | {r['rss']} MB |")
    return lines


def measure_preview(scale: int, work: Path, saves: int = 9) -> dict:
    """From a save to the server-sent event that tells the page: a preview server on a
    synthetic project, its event stream read on loopback, a sentence appended to one
    section per save. The event is sent after the rebuild, so this is the whole loop
    but the browser's fetch."""
    project, _ = make_project(scale, work / f"preview{scale}")
    proc = subprocess.Popen([str(PERFDOC), "preview", str(project)], stdout=subprocess.PIPE,
                            text=True, env=ENV)
    try:
        url = re.search(r"http://127\.0\.0\.1:(\d+)", proc.stdout.readline())
        stream = socket.create_connection(("127.0.0.1", int(url.group(1))), timeout=30)
        stream.sendall(b"GET /events HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n")
        reader = stream.makefile("rb")
        while reader.readline().strip():  # the response headers
            pass
        path = project / "content" / "03-achievements.md"
        text = path.read_text(encoding="utf-8")
        samples = []
        for n in range(saves + 1):
            time.sleep(0.3)
            started = time.perf_counter()
            path.write_text(text + f"\n第{n}次保存。\n", encoding="utf-8")
            while not reader.readline().startswith(b"data:"):
                pass
            samples.append(time.perf_counter() - started)
        stream.close()
    finally:
        proc.terminate()
        proc.wait()
    return {"scale": scale, "median": statistics.median(samples[1:]), "saves": saves}


def report(results: list[dict], projects: list[dict], previews: list[dict]) -> str:
    cpu = next((line.split(":", 1)[1].strip() for line in Path("/proc/cpuinfo").read_text()
                .splitlines() if line.startswith("model name")), platform.processor())
    lines = [
        "# Benchmarks",
        "",
        "Written by `make bench` (tests/bench/bench.py); do not edit by hand.",
        "",
        f"- Date: {datetime.date.today().isoformat()}",
        f"- Machine: {cpu}, {os.cpu_count()} cores, {platform.system()} {platform.release()}",
        f"- Python {platform.python_version()}; perfdoc {version('perfdoc')}, python-docx "
        f"{version('python-docx')}, markdown-it-py {version('markdown-it-py')}, "
        f"Jinja2 {version('Jinja2')}; pandoc "
        f"{pypandoc.get_pandoc_version()} (pypandoc-binary {version('pypandoc-binary')})",
        "",
        "Whole process, median wall time after a warm-up run, with Python's bytecode cache "
        "on (as installed). perfdoc: check + form.docx + report.docx + scores.xlsx. pandoc: "
        "the same Markdown (templates filled in) plus the indicator table as one GFM table, "
        "to one docx. Synthetic projects: tests/bench/synthetic.py.",
        "",
        "| size | indicator rows | Markdown | runs | perfdoc | pandoc | perfdoc / pandoc | "
        "perfdoc peak RSS | pandoc peak RSS | perfdoc per row |",
        "|---|---|---|---|---|---|---|---|---|---|",
    ]
    for r in results:
        (ours, our_rss), (theirs, their_rss) = r["perfdoc"], r["pandoc"]
        lines.append(
            f"| {r['scale']}× | {r['rows']} | {r['md_kb']:.0f} KB | {r['runs']} | "
            f"{ours:.2f} s | {theirs:.2f} s | {ours / theirs:.2f} | {our_rss} MB | "
            f"{their_rss} MB | {ours / r['rows'] * 1000:.2f} ms |")
    if projects:
        lines += projects_table(projects)
    if previews:
        lines += ["", "## Preview", "",
                  "`perfdoc preview` on the synthetic projects: from a save of one section file "
                  "to the server-sent event that tells the open page (rebuild included: only "
                  "changed bodies are parsed and rendered again), median of the saves after "
                  "the first.", "",
                  "| size | saves | save → event |", "|---|---|---|"]
        lines += [f"| {r['scale']}× | {r['saves']} | {r['median'] * 1000:.0f} ms |"
                  for r in previews]
    return "\n".join(lines) + "\n"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", default=str(ROOT / "BENCHMARKS.md"))
    parser.add_argument("--scales", default="1,10,100")
    args = parser.parse_args()
    results = []
    compileall.compile_dir(str(ROOT / "perfdoc"), quiet=1)
    with tempfile.TemporaryDirectory(prefix="perfdoc-bench-") as tmp:
        for scale in (int(s) for s in args.scales.split(",")):
            result = measure(scale, SCALES.get(scale, 3), Path(tmp))
            print(f"{scale}x: perfdoc {result['perfdoc'][0]:.2f} s, pandoc "
                  f"{result['pandoc'][0]:.2f} s, peak {result['perfdoc'][1]} MB", flush=True)
            results.append(result)
        projects = []
        for count in PROJECT_COUNTS:
            projects.append(measure_projects(count, Path(tmp)))
            print(f"{count} projects: {projects[-1]['seconds']:.2f} s, "
                  f"peak {projects[-1]['rss']} MB", flush=True)
        previews = [measure_preview(scale, Path(tmp)) for scale in (1, 100)]
        for r in previews:
            print(f"preview {r['scale']}x: {r['median'] * 1000:.0f} ms", flush=True)
    text = report(results, projects, previews)
    Path(args.out).write_text(text, encoding="utf-8")
    print(f"wrote {args.out}")
    # The README quotes each table between its markers.
    readme = ROOT / "README.md"
    current = readme.read_text(encoding="utf-8")
    department, _, rest = text.partition("## Projects")
    projects_part, _, preview_part = rest.partition("## Preview")
    for marker, part in (("bench", department), ("bench-projects", projects_part),
                         ("bench-preview", preview_part)):
        start, end = f"<!-- {marker}:start -->", f"<!-- {marker}:end -->"
        if start in current and end in current:
            table = "\n".join(line for line in part.splitlines() if line.startswith("|"))
            head, rest = current.split(start, 1)
            current = f"{head}{start}\n{table}\n{end}{rest.split(end, 1)[1]}"
    readme.write_text(current, encoding="utf-8")
    print(f"updated the tables in {readme.name}")

if __name__ == "__main__":
    main()
