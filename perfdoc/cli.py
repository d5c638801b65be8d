"""perfdoc build | check | fix | diff | init | import — the command line.

Exit codes: 0 clean (warnings allowed), 1 data errors, 2 usage errors,
3 an internal error (a bug in perfdoc, reported in one line).
"""

from __future__ import annotations

import argparse
import datetime
import gc
import io
import os
import signal
import sys
import threading
import time
from pathlib import Path
from typing import NoReturn

from perfdoc import __version__, diagnostics
from perfdoc.diagnostics import Diagnostics, printable, terminal_text
from perfdoc.timers import (
    HARD_STOP_GRACE,
    TimeLimit,
    hard_stop_after,
    interrupt_after,
    run_limit,
)

EXIT_OK, EXIT_DATA, EXIT_USAGE, EXIT_BUG = 0, 1, 2, 3


class UsageError(Exception):
    """Exit 2 with this message."""


class _Parser(argparse.ArgumentParser):
    def error(self, message: str) -> NoReturn:  # argparse exits 2 too; keep its words, add ours
        self.print_usage(sys.stderr)
        say(f"perfdoc: 用法错误：{message}", err=True)
        raise SystemExit(EXIT_USAGE)


def parser() -> argparse.ArgumentParser:
    top = _Parser(prog="perfdoc", description="部门整体支出绩效自评：从 Markdown 和 CSV "
                  "生成自评表、评价报告和评分表")
    top.add_argument("--version", action="version", version=f"perfdoc {__version__}")
    sub = top.add_subparsers(dest="command", required=True, parser_class=_Parser)

    for name, help_text in (("build", "检查数据并生成 build/ 下的 form.docx、report.docx、scores.xlsx"),
                            ("check", "只检查数据，不生成文件")):
        cmd = sub.add_parser(name, help=help_text)
        cmd.add_argument("dir", nargs="?", default=".", help="报告项目目录（默认：当前目录）")
        cmd.add_argument("--format", choices=diagnostics.FORMATS, default="text",
                         help="问题的输出格式：text（默认）、github（GitHub Actions 注释）、json")
        if name == "build":
            cmd.add_argument("--pdf", action="store_true",
                             help="同时用 LibreOffice 生成每份文件的 PDF（build/*.pdf）")
        if name == "check":
            cmd.add_argument("--by-owner", action="store_true",
                             help="按“责任处室”列分组列出问题和扣分项")

    cmd = sub.add_parser("fix", help="改正公文写法中机械性的问题（标点、括号、全角数字、"
                         "多余空格、编号写法），并列出改动")
    cmd.add_argument("dir", nargs="?", default=".", help="报告项目目录（默认：当前目录）")
    cmd.add_argument("--check", action="store_true",
                     help="不修改文件；有需要改正的地方时退出码为 1（用于 CI 和提交前检查）")
    cmd.add_argument("--diff", action="store_true", help="只列出改动（unified diff），不修改文件")

    cmd = sub.add_parser("preview", help="在浏览器中预览自评表、评价报告和项目自评表，保存即更新")
    cmd.add_argument("dir", nargs="?", default=".", help="报告项目目录（默认：当前目录）")
    cmd.add_argument("--port", type=int, default=0, help="端口（默认：任选一个空闲端口）")
    cmd.add_argument("--open", action="store_true", help="启动后用默认浏览器打开")

    cmd = sub.add_parser("diff", help="两个版本之间分数和文字的变化（Markdown，供审核）")
    cmd.add_argument("old", nargs="?", help="旧版本（默认：与默认分支的分叉点）")
    cmd.add_argument("new", nargs="?", help="新版本（默认：工作区当前内容）")
    cmd.add_argument("-C", "--dir", default=".", help="报告项目目录（默认：当前目录）")

    cmd = sub.add_parser("init", help="新建一个报告仓库（含 CI 配置），或从上一年度的报告开始")
    cmd.add_argument("dir", help="新仓库的目录")
    cmd.add_argument("--year", type=int, default=datetime.date.today().year - 1,
                     help="评价年度（默认：去年）")
    cmd.add_argument("--unit", help="填报单位（默认：目录名）")
    cmd.add_argument("--from", dest="source", metavar="LAST_YEAR_DIR",
                     help="从上一年度的报告项目开始：保留文字、指标和分值，清空得分和说明")
    cmd.add_argument("--force", action="store_true", help="目录中已有报告时仍然写入")

    cmd = sub.add_parser("import", help="把 Word 格式的自评表或评价报告转成 content/ 和 indicators/")
    cmd.add_argument("file", nargs="+", help="自评表或评价报告（.docx，也可以是 .doc、.wps、.rtf、"
                     ".odt，用 LibreOffice 转换），或财务部门的指标表（.xlsx、.xls、CSV）；同一年的"
                     "几个文件可一起给出，后者补充前者没有的内容（如说明列、指标表）")
    cmd.add_argument("--into", default=".", help="写入的报告项目目录（默认：当前目录）")
    cmd.add_argument("--layout", default=None, help="版式（默认：jiangsu-2020）")
    cmd.add_argument("--force", action="store_true", help="目录中已有报告时仍然覆盖")
    return top


def _project(dir_arg: str) -> Path:
    root = Path(dir_arg)
    if not root.is_dir():
        raise UsageError(f"{dir_arg}: error[PD001]: 目录不存在")
    missing = [d for d in ("content", "indicators") if not (root / d).is_dir()]
    if missing:
        raise UsageError(f"{dir_arg}: error[PD002]: 这里不是 perfdoc 报告项目，缺少目录："
                         + "、".join(f"{d}/" for d in missing))
    return root.resolve()


def say(text: object = "", err: bool = False, end: str = "\n", flush: bool = False,
        lines: bool = False) -> None:
    """Print what may hold a user's text (a path, a body, a name), escaped for a terminal
    or a CI log: one line, or with `lines` a text whose own line breaks are kept. Every
    line perfdoc prints goes through here, or is escaped already (diagnostics)."""
    out = str(text) if lines else printable(str(text))
    print(terminal_text(out), end=end, file=sys.stderr if err else sys.stdout, flush=flush)


def _print(diags: Diagnostics, fmt: str, root: Path) -> None:
    out = diagnostics.render(diags, fmt, root)  # escaped per format (GitHub's commands)
    if out:
        print(out)
    if fmt != "json":
        say(diags.summary())


def cmd_check(args: argparse.Namespace) -> int:
    from perfdoc.rules.check import check_project

    root = _project(args.dir)
    report, diags = check_project(root)
    if args.by_owner:
        from perfdoc.review.owners import by_owner

        say(by_owner(report, diags), lines=True)
        say(diags.summary())
    else:
        _print(diags, args.format, root)
    return EXIT_DATA if diags.errors else EXIT_OK


def cmd_build(args: argparse.Namespace) -> int:
    from perfdoc.build import build

    root = _project(args.dir)
    started = time.perf_counter()
    result = build(root, pdf=args.pdf)
    if not result.ok:
        _print(result.diagnostics, args.format, root)
        say("未生成文件；build/ 中上次的结果保持不变。", err=True)
        return EXIT_DATA
    if result.diagnostics.items:
        _print(result.diagnostics, args.format, root)
    for path, digest in result.outputs:
        say(f"已生成 {diagnostics.relative_path(path)}  sha256:{digest}")
    say(f"用时 {time.perf_counter() - started:.2f} 秒。")
    if result.pdf_error:
        say(f"perfdoc: {result.pdf_error}", err=True)
        return EXIT_USAGE
    return EXIT_OK


def cmd_fix(args: argparse.Namespace) -> int:
    from perfdoc.files import WriteError
    from perfdoc.rules.fix import apply, plan

    root = _project(args.dir)
    changes, skipped = plan(root)
    for line in skipped:
        say(f"未处理：{line}", err=True)
    if args.check:
        for change in changes:
            say(f"{change.path.relative_to(root).as_posix()}: 需要改正（运行 perfdoc fix）")
        say(f"{len(changes)} 个文件需要改正。" if changes else "没有需要改正的写法。")
        return EXIT_DATA if changes else EXIT_OK
    for change in changes:
        say(change.diff(root), end="", lines=True)
    if args.diff:
        return EXIT_OK
    try:
        apply(root, changes)
    except WriteError as exc:
        raise UsageError(f"perfdoc fix: {exc}") from None
    say(f"已改正 {len(changes)} 个文件。" if changes else "没有需要改正的写法。")
    return EXIT_OK


def cmd_preview(args: argparse.Namespace) -> int:
    from perfdoc.preview.server import serve

    root = _project(args.dir)

    def ready(url: str) -> None:
        say(f"预览地址：{url}（只在本机可访问；保存文件后页面自动更新；按 Ctrl-C 停止）",
              flush=True)
        if args.open:
            import webbrowser
            webbrowser.open(url)
    try:
        serve(root, args.port, ready)
    except OSError as exc:
        raise UsageError(f"perfdoc preview: 无法在端口 {args.port} 上启动：{exc.strerror}") from None
    except KeyboardInterrupt:
        say("预览已停止。")
    return EXIT_OK


def cmd_diff(args: argparse.Namespace) -> int:
    from perfdoc.review.diff import Side, diff_reports
    from perfdoc.review.revisions import RevisionError, checkout, default_base
    from perfdoc.rules.check import check_project

    root = _project(args.dir)

    def side(revision: str | None, label: str) -> Side:
        if revision is None:
            return _side(root, label)
        with checkout(root, revision) as tree:
            return _side(tree, label)

    def _side(path: Path, label: str) -> Side:
        report, diags = check_project(path)
        if report is None:
            first = diags.errors[0] if diags.errors else "无法读取"
            raise UsageError(f"{label} 的数据无法读取：{first}")
        return Side(label, report)

    try:
        old = args.old or default_base(root)
        old_label = args.old or f"{old[:8]}（与默认分支的分叉点）"
        a = side(old, old_label)
        b = side(args.new, args.new or "工作区")
    except RevisionError as exc:
        raise UsageError(f"perfdoc diff: {exc}") from None
    say(diff_reports(a, b), end="", lines=True)
    return EXIT_OK


def cmd_init(args: argparse.Namespace) -> int:
    from perfdoc.review.scaffold import InitError, init, init_from

    target = Path(args.dir)
    try:
        if args.source:
            written = init_from(Path(args.source), target, args.year, force=args.force)
        else:
            unit = args.unit or target.resolve().name
            written = init(target, args.year, unit, force=args.force)
    except InitError as exc:
        raise UsageError(f"perfdoc init: {exc}") from None
    say(f"已在 {target} 写入 {len(written)} 个文件（{args.year} 年度）。")
    if args.source:
        from perfdoc.rules.check import check_project

        _, diags = check_project(target.resolve())
        say("还需要填写的内容：")
        _print(diags, "text", target.resolve())
    else:
        say(f"下一步：cd {target} && make docx（没有 make 时：按 README.md 安装后运行 perfdoc build）")
    return EXIT_OK


def cmd_import(args: argparse.Namespace) -> int:
    from perfdoc.review.importer import ImportFailure, read_documents, write_project
    from perfdoc.rules.check import check_project
    from perfdoc.sources.layout import DEFAULT_LAYOUT, LayoutError, load_layout

    target = Path(args.into)
    try:
        layout = load_layout(args.layout or DEFAULT_LAYOUT, target)
    except LayoutError as exc:
        raise UsageError(f"perfdoc import: {exc}") from None
    try:
        imported = read_documents([Path(name) for name in args.file], layout)
        written = write_project(imported, target, args.force)
    except ImportFailure as exc:
        say(f"{exc.source or args.file[0]}: error[{exc.code}]: {exc}；没有写入任何文件。", err=True)
        return EXIT_USAGE if exc.code == "PD605" else EXIT_DATA
    say(f"已从 {'、'.join(args.file)} 写入 {len(written)} 个文件到 {target}。")
    for line in imported.repairs:
        say(f"  {line}")
    diags = imported.notes
    if imported.tables_only:
        say("  只导入了指标表（indicators/）；content/ 没有改动。各部分的文字请从 Word 文件导入"
            "（可与表格一起导入：perfdoc import 报告.docx 指标表.xlsx），或用 perfdoc init 开始")
    if not imported.tables_only or (target / "content").is_dir():
        _, checked = check_project(target.resolve())
        for d in checked.items:
            diags.add(d)
    if diags.items:
        say("需要注意：")
    _print(diags, "text", target.resolve())
    # As check does: a script or CI job tells a clean import from one that needs work.
    return EXIT_DATA if diags.errors else EXIT_OK


COMMANDS = {"build": cmd_build, "check": cmd_check, "fix": cmd_fix, "preview": cmd_preview,
            "diff": cmd_diff, "init": cmd_init, "import": cmd_import}


# Commands that serve until stopped: no run limit (each of the preview's rebuilds has one).
LONG_RUNNING = frozenset({"preview"})


def run(argv: list[str]) -> int:
    args = parser().parse_args(argv)
    limit = 0 if args.command in LONG_RUNNING else run_limit()
    try:
        with hard_stop_after(limit + HARD_STOP_GRACE if limit else 0), \
                interrupt_after(limit, TimeLimit):
            return COMMANDS[args.command](args)
    except UsageError as exc:
        say(exc, err=True)
        return EXIT_USAGE
    except TimeLimit:
        say(time_limit_message(limit), err=True)
        return EXIT_DATA


def time_limit_message(limit: int) -> str:
    return (f"perfdoc: error[PD008]: 运行超过 {limit} 秒，已停止，没有写入任何文件；"
            "如果报告确实很大，可设置环境变量 PERFDOC_TIME_LIMIT=秒数 提高上限")


def _terminate(signum: int, frame: object) -> NoReturn:
    """SIGTERM (a CI job cancelled, a killed import) unwinds like an exception, so every
    `finally` runs: temporary folders and files are removed."""
    raise SystemExit(128 + signum)


# Collect cycles after 100,000 new objects, not 700: a long report makes hundreds of
# thousands of short-lived tokens and strings, and the default thresholds spent 8 % of
# a 100x build walking them. Collection still runs, so memory stays bounded.
GC_THRESHOLDS = (100_000, 50, 100)


def robust_streams() -> None:
    """stdout and stderr that cannot crash on a character: UTF-8 into a pipe or a file
    (Windows gives a pipe its ANSI code page: cp1252 on CI runners, cp936 on a Chinese
    desk), and a backslash escape where a console cannot show a character (䶮 in GBK)."""
    for stream in (sys.stdout, sys.stderr):
        if not isinstance(stream, io.TextIOWrapper):
            continue
        try:
            if stream.isatty():
                stream.reconfigure(errors="backslashreplace")
            else:
                stream.reconfigure(encoding="utf-8", errors="backslashreplace")
        except (ValueError, OSError):  # a stream already written to, or closed
            pass


def main(argv: list[str] | None = None) -> int:
    gc.set_threshold(*GC_THRESHOLDS)
    robust_streams()
    if threading.current_thread() is threading.main_thread():
        signal.signal(signal.SIGTERM, _terminate)
    try:
        return run(sys.argv[1:] if argv is None else argv)
    except KeyboardInterrupt:
        return 130
    except Exception as exc:  # a bug: one line for the user, the traceback on request
        if os.environ.get("PERFDOC_DEBUG"):
            raise
        say(f"perfdoc 内部错误（这是 perfdoc 的缺陷，不是您的数据问题）："
            f"{type(exc).__name__}: {exc}。请把这一行和所用文件报告给维护者；"
            "设置 PERFDOC_DEBUG=1 可看到完整调用栈。", err=True)
        return EXIT_BUG
