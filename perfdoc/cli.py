"""perfdoc build | check — the command line.

Exit codes: 0 clean (warnings allowed), 1 data errors, 2 usage errors,
3 an internal error (a bug in perfdoc, reported in one line).
"""

from __future__ import annotations

import argparse
import os
import sys
import time
from pathlib import Path

from . import __version__
from . import diagnostics
from .diagnostics import Diagnostics

EXIT_OK, EXIT_DATA, EXIT_USAGE, EXIT_BUG = 0, 1, 2, 3


class _Parser(argparse.ArgumentParser):
    def error(self, message: str):  # argparse exits 2 too; keep its words, add ours
        self.print_usage(sys.stderr)
        print(f"perfdoc: 用法错误：{message}", file=sys.stderr)
        raise SystemExit(EXIT_USAGE)


def _parser() -> argparse.ArgumentParser:
    parser = _Parser(prog="perfdoc", description="部门整体支出绩效自评：从 Markdown 和 CSV "
                     "生成自评表（Word）")
    parser.add_argument("--version", action="version", version=f"perfdoc {__version__}")
    sub = parser.add_subparsers(dest="command", required=True, parser_class=_Parser)
    for name, help_text in (("build", "检查数据并生成 build/form.docx"),
                            ("check", "只检查数据，不生成文件")):
        cmd = sub.add_parser(name, help=help_text)
        cmd.add_argument("dir", nargs="?", default=".", help="报告项目目录（默认：当前目录）")
        cmd.add_argument("--format", choices=diagnostics.FORMATS, default="text",
                         help="问题的输出格式：text（默认）、github（GitHub Actions 注释）、json")
    return parser


def _project(dir_arg: str) -> Path | None:
    root = Path(dir_arg)
    if not root.is_dir():
        print(f"{dir_arg}: error[PD001]: 目录不存在", file=sys.stderr)
        return None
    missing = [d for d in ("content", "indicators") if not (root / d).is_dir()]
    if missing:
        print(f"{dir_arg}: error[PD002]: 这里不是 perfdoc 报告项目，缺少目录："
              + "、".join(f"{d}/" for d in missing), file=sys.stderr)
        return None
    return root.resolve()


def _print(diags: Diagnostics, fmt: str, root: Path) -> None:
    out = diagnostics.render(diags, fmt, root)
    if out:
        print(out)
    if fmt != "json":
        print(diags.summary())


def run(argv: list[str]) -> int:
    args = _parser().parse_args(argv)
    root = _project(args.dir)
    if root is None:
        return EXIT_USAGE
    if args.command == "check":
        from .check import check_project

        _, diags = check_project(root)
        _print(diags, args.format, root)
        return EXIT_DATA if diags.errors else EXIT_OK

    from .build import build

    started = time.perf_counter()
    result = build(root)
    if not result.ok:
        _print(result.diagnostics, args.format, root)
        print("未生成文件；build/ 中上次的结果保持不变。", file=sys.stderr)
        return EXIT_DATA
    if result.diagnostics.items:
        _print(result.diagnostics, args.format, root)
    for path in result.outputs:
        print(f"已生成 {os.path.relpath(path)}")
    print(f"用时 {time.perf_counter() - started:.2f} 秒。")
    return EXIT_OK


def main(argv: list[str] | None = None) -> int:
    try:
        return run(sys.argv[1:] if argv is None else argv)
    except KeyboardInterrupt:
        return 130
    except Exception as exc:  # a bug: one line for the user, the traceback on request
        if os.environ.get("PERFDOC_DEBUG"):
            raise
        print(f"perfdoc 内部错误（这是 perfdoc 的缺陷，不是您的数据问题）："
              f"{type(exc).__name__}: {exc}。请把这一行和所用文件报告给维护者；"
              "设置 PERFDOC_DEBUG=1 可看到完整调用栈。", file=sys.stderr)
        return EXIT_BUG
