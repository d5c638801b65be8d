"""`make bench`: perfdoc build on the sample and at 1x, 10x and 100x it, against pandoc.

Each case times the whole cold process (`perfdoc build DIR`: check + form + report +
xlsx, and `perfdoc check DIR`) and, as the reference, pandoc (pypandoc-binary)
converting the same Markdown plus the indicator table as a GFM table to docx, run
alternately in pairs after a warm-up; peak RSS of each child from wait4. The outputs
timed are checked (they open, and hold every indicator row), so a fast wrong build
cannot score. Then each command's import time (`python -X importtime`), the projects
and the preview. Results go to BENCHMARKS.md and the README's tables.
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
import shutil  # noqa: E402
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
SCALES = {"sample": 15, 1: 7, 10: 5, 100: 3}  # scale -> timed pairs (after one warm-up)
IMPORT_RUNS = 5  # -X importtime runs per command; the least is kept (the least disturbed)
PROJECT_COUNTS = (5, 10, 25, 50)  # projects beside the 1x sample; 3 timed runs each
W = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}"


# As on a user's machine, Python caches bytecode (this workplace sets
# PYTHONDONTWRITEBYTECODE, which would time the compiler instead).
ENV = {k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"}


def label(scale: int | str) -> str:
    return "sample" if scale == "sample" else f"{scale}×"


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


def copy_sample(dest: Path) -> tuple[Path, int]:
    """The repository's own sample (report and its three projects: 7 outputs)."""
    for name in ("content", "indicators", "projects"):
        shutil.copytree(ROOT / name, dest / name)
    report, _ = check_project(dest)
    assert report is not None
    return dest, len(report.indicators)


def measure(scale: int | str, runs: int, work: Path) -> dict:
    project, rows = (copy_sample(work / "sample") if scale == "sample"
                     else make_project(int(scale), work / f"x{scale}"))
    md_kb = sum(p.stat().st_size for p in (project / "content").glob("*.md")) / 1024
    source = work / f"x{scale}.md"
    pandoc_input(project, source)
    pandoc = pypandoc.get_pandoc_path()
    ours = [str(PERFDOC), "build", str(project)]
    theirs = [pandoc, "-f", "gfm", "-t", "docx", "-o", str(work / f"x{scale}.docx"), str(source)]
    check = [str(PERFDOC), "check", str(project)]
    for cmd in (ours, theirs, check):
        run(cmd)  # warm-up
    # Pairs, run alternately: a busy moment of the machine slows both of a pair, so the
    # ratio of each pair is steadier than the ratio of two medians taken minutes apart.
    pairs, checks = [], []
    for n in range(1, runs + 1):
        pair = run(ours), run(theirs)
        pairs.append(pair)
        checks.append(run(check)[0])
        print(f"  {label(scale)} pair {n}: perfdoc build {pair[0][0] * 1000:.0f} ms, pandoc "
              f"{pair[1][0] * 1000:.0f} ms, {pair[0][0] / pair[1][0]:.2f}×; perfdoc check "
              f"{checks[-1] * 1000:.0f} ms", flush=True)
    verify(project, rows)
    return {"scale": scale, "rows": rows, "md_kb": md_kb, "runs": runs,
            "perfdoc": (statistics.median(p[0][0] for p in pairs), max(p[0][1] for p in pairs)),
            "pandoc": (statistics.median(p[1][0] for p in pairs), max(p[1][1] for p in pairs)),
            "ratio": statistics.median(p[0][0] / p[1][0] for p in pairs),
            "check": statistics.median(checks)}


_IMPORT_LINE = re.compile(r"^import time:\s+(\d+) \|\s+(\d+) \|( +)(\S+)$", re.M)


def import_times(project: Path, work: Path) -> list[dict]:
    """What each command imports before it starts working, by `python -X importtime`:
    the total (the top-level imports' cumulative times, interpreter start-up's own
    imports included), the modules, and perfdoc's own modules' share."""
    commands = {
        "--version": ["--version"],
        "check": ["check", str(project)],
        "fix --check": ["fix", "--check", str(project)],
        "build": ["build", str(project)],
        "import": ["import", str(project / "build" / "report.docx"), "--into",
                   str(work / "imported"), "--force"],
    }
    out = []
    for name, args in commands.items():
        best = None
        for _ in range(IMPORT_RUNS):
            done = subprocess.run([sys.executable, "-X", "importtime", "-m", "perfdoc", *args],
                                  capture_output=True, text=True, env=ENV, cwd=work)
            if done.returncode not in (0, 1):
                raise SystemExit(f"failed: perfdoc {name}\n{done.stderr[-2000:]}")
            rows = [(int(m[1]), int(m[2]), len(m[3]), m[4])
                    for m in _IMPORT_LINE.finditer(done.stderr)]
            total = sum(cumulative for _, cumulative, indent, _ in rows if indent == 1)
            if best is None or total < best["total"]:
                ours = sum(own for own, _, _, module in rows
                           if module.split(".")[0] == "perfdoc")
                best = {"command": name, "total": total, "modules": len(rows), "ours": ours}
        out.append(best)
        print(f"import time, perfdoc {name}: {best['total'] / 1000:.0f} ms, "
              f"{best['modules']} modules (perfdoc's own {best['ours'] / 1000:.0f} ms)",
              flush=True)
    return out


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


# What no perfdoc code can go below: the interpreter, and the libraries each command
# must import (check: frontmatter, Markdown, templates; build: python-docx too).
FLOORS = {
    "`python -c pass`": "pass",
    "check's libraries: python-frontmatter, PyYAML, markdown-it-py, Jinja2 (sandbox)":
        "import frontmatter, yaml, markdown_it, jinja2.sandbox",
    "build's libraries: the same and python-docx (lxml)":
        "import frontmatter, yaml, markdown_it, jinja2.sandbox, docx",
}
FLOOR_RUNS = 15


def floors(project: Path) -> list[tuple[str, float]]:
    """Wall time of the floors and of the commands themselves, run in turn (medians)."""
    cases = {name: [sys.executable, "-c", code] for name, code in FLOORS.items()}
    cases |= {f"`perfdoc {cmd}`": [str(PERFDOC), cmd, str(project)] for cmd in ("check", "build")}
    times: dict[str, list[float]] = {name: [] for name in cases}
    for _ in range(FLOOR_RUNS):
        for name, cmd in cases.items():
            times[name].append(run(cmd)[0])
    out = [(name, statistics.median(samples)) for name, samples in times.items()]
    for name, seconds in out:
        print(f"floor: {name}: {seconds * 1000:.0f} ms", flush=True)
    return out


def imports_table(imports: list[dict], floor: list[tuple[str, float]]) -> list[str]:
    lines = ["", "## Start-up", "",
             "What each command imports before it works: `python -X importtime -m perfdoc "
             "…`, the sum of the top-level imports' cumulative times (interpreter start-up's "
             f"own imports included), the least of {IMPORT_RUNS} runs; \"perfdoc's own\" is "
             "the time spent in perfdoc's modules themselves. A command imports only what it "
             "needs: `check` neither python-docx nor lxml.", "",
             "| command | import time | modules | perfdoc's own |", "|---|---|---|---|"]
    lines += [f"| `perfdoc {r['command']}` | {r['total'] / 1000:.0f} ms | {r['modules']} | "
              f"{r['ours'] / 1000:.0f} ms |" for r in imports]
    lines += ["", "The floor: the interpreter alone and the libraries a command must import, "
              f"against the whole command on the sample (wall time, median of {FLOOR_RUNS} "
              "runs in turn).", "", "| process | wall |", "|---|---|"]
    lines += [f"| {name} | {seconds * 1000:.0f} ms |" for name, seconds in floor]
    return lines


def report(results: list[dict], projects: list[dict], previews: list[dict],
           imports: list[dict], floor: list[tuple[str, float]]) -> str:
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
        "Whole process, cold (a new process each time, as `make docx` and CI run it), "
        "with Python's bytecode cache on (as installed); median wall time of the timed runs "
        "after a warm-up. perfdoc: check + form.docx + report.docx + scores.xlsx. pandoc: "
        "the same Markdown (templates filled in) plus the indicator table as one GFM table, "
        "to one docx. perfdoc and pandoc run alternately, in pairs, and \"perfdoc / pandoc\" "
        "is the median of the pairs' ratios (a busy moment slows both of a pair); `make "
        "bench` prints every pair. \"check\": `perfdoc check` on the same project, run "
        "after each pair. Synthetic projects: tests/bench/synthetic.py.",
        "",
        "| size | indicator rows | Markdown | pairs | perfdoc | pandoc | perfdoc / pandoc | "
        "perfdoc check | perfdoc peak RSS | pandoc peak RSS | perfdoc per row |",
        "|---|---|---|---|---|---|---|---|---|---|---|",
    ]
    for r in results:
        (ours, our_rss), (theirs, their_rss) = r["perfdoc"], r["pandoc"]
        lines.append(
            f"| {label(r['scale'])} | {r['rows']} | {r['md_kb']:.0f} KB | {r['runs']} | "
            f"{ours:.2f} s | {theirs:.2f} s | {r['ratio']:.2f} | {r['check']:.2f} s | "
            f"{our_rss} MB | {their_rss} MB | {ours / r['rows'] * 1000:.2f} ms |")
    if imports:
        lines += imports_table(imports, floor)
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
        for scale in ("sample", *(int(s) for s in args.scales.split(","))):
            result = measure(scale, SCALES.get(scale, 3), Path(tmp))
            print(f"{label(scale)}: perfdoc {result['perfdoc'][0]:.2f} s, pandoc "
                  f"{result['pandoc'][0]:.2f} s, ratio {result['ratio']:.2f} (median of the "
                  f"pairs), check {result['check']:.2f} s, peak {result['perfdoc'][1]} MB",
                  flush=True)
            results.append(result)
        imports = import_times(Path(tmp) / "sample", Path(tmp))
        floor = floors(Path(tmp) / "sample")
        projects = []
        for count in PROJECT_COUNTS:
            projects.append(measure_projects(count, Path(tmp)))
            print(f"{count} projects: {projects[-1]['seconds']:.2f} s, "
                  f"peak {projects[-1]['rss']} MB", flush=True)
        previews = [measure_preview(scale, Path(tmp)) for scale in (1, 100)]
        for r in previews:
            print(f"preview {r['scale']}x: {r['median'] * 1000:.0f} ms", flush=True)
    text = report(results, projects, previews, imports, floor)
    Path(args.out).write_text(text, encoding="utf-8")
    print(f"wrote {args.out}")
    # The README quotes each table between its markers.
    readme = ROOT / "README.md"
    current = readme.read_text(encoding="utf-8")
    department, *sections = re.split(r"^## ", text, flags=re.M)
    parts = {"bench": department} | {f"bench-{heading.split()[0].lower()}": body
                                     for heading, _, body in (s.partition("\n")
                                                              for s in sections)}
    for marker, part in parts.items():  # bench, bench-start-up, bench-projects, bench-preview
        start, end = f"<!-- {marker}:start -->", f"<!-- {marker}:end -->"
        if start in current and end in current:
            tables = re.findall(r"^\|.*(?:\n\|.*)*", part, re.M)  # each table, whole
            table = "\n\n".join(tables)
            head, rest = current.split(start, 1)
            current = f"{head}{start}\n{table}\n{end}{rest.split(end, 1)[1]}"
    readme.write_text(current, encoding="utf-8")
    print(f"updated the tables in {readme.name}")

if __name__ == "__main__":
    main()
