"""The preview server: loopback only, GET only, pages rebuilt when a source is saved.

The main thread watches the sources (watchfiles) and rebuilds the model on every
change, each rebuild within the run limit and the template budgets (both need the
main thread); the HTTP server runs in a thread of its own and tells each open page
through server-sent events, and the page fetches its new content and swaps it in
place. A build with errors keeps the last good pages and shows the diagnostics,
exactly as `perfdoc check` prints them. The server runs until Ctrl-C, with no limit.

Only the loopback names are served: a request whose Host (or, on the event stream,
Origin) names another site is refused, so a page elsewhere that rebinds its DNS name
to 127.0.0.1 cannot read an unpublished report.
"""

from __future__ import annotations

import html
import json
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from functools import partial
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any
from urllib.parse import unquote, urlsplit

from perfdoc.diagnostics import printable
from perfdoc.files import MAX_SOURCE_BYTES, SOURCE_DIRS, SourceError, read_source
from perfdoc.preview import html as pages
from perfdoc.rules.check import check_project
from perfdoc.sources.layout import Page as PageSize
from perfdoc.sources.model import Report
from perfdoc.timers import TimeLimit, interrupt_after, run_limit

ASSETS = Path(__file__).parent / "assets"
ASSET_TYPES = {"preview.css": "text/css; charset=utf-8",
               "preview.js": "text/javascript; charset=utf-8"}
# Images are recognised by their first bytes, never by their name.
IMAGE_MAGIC = ((b"\x89PNG\r\n\x1a\n", "image/png"), (b"\xff\xd8\xff", "image/jpeg"),
               (b"GIF87a", "image/gif"), (b"GIF89a", "image/gif"), (b"BM", "image/bmp"),
               (b"II*\x00", "image/tiff"), (b"MM\x00*", "image/tiff"))
LOOPBACK_NAMES = ("127.0.0.1", "localhost", "[::1]")


def image_type(data: bytes) -> str | None:
    return next((kind for magic, kind in IMAGE_MAGIC if data.startswith(magic)), None)


@dataclass
class Page:
    title: str
    html: str
    style: str  # CSS variables: the layout's margins and type


@dataclass
class State:
    root: Path
    pages: dict[str, Page] = field(default_factory=dict)  # URL path -> the last good page
    problems: list[str] = field(default_factory=list)
    version: int = 0
    changed: threading.Condition = field(default_factory=threading.Condition)
    rebuild_seconds: float = 0.0

    def newer(self, version: int) -> bool:
        return self.version != version

    def rebuild(self) -> None:
        """Check and render once, within the run limit; whatever goes wrong is shown
        on the page and the server keeps the last good pages."""
        started = time.perf_counter()
        limit = run_limit()
        built: dict[str, Page] | None = None
        try:
            with interrupt_after(limit, TimeLimit):
                report, diags = check_project(self.root)
                problems = [str(d) for d in diags.sorted()] if diags.errors else []
                if report is not None and not diags.errors:
                    built = _pages(report)
        except TimeLimit:
            problems = [f"error[PD008]: 检查和排版超过 {limit} 秒，已停止；页面保留上一次的结果"]
        except Exception as exc:  # a perfdoc bug must not stop the preview
            problems = [printable(f"perfdoc 内部错误（这是 perfdoc 的缺陷，不是您的数据问题）："
                                  f"{type(exc).__name__}: {exc}")]
        with self.changed:
            if built is not None:
                self.pages = built
            self.problems = problems
            self.version += 1
            self.rebuild_seconds = time.perf_counter() - started
            self.changed.notify_all()


def _style(page: PageSize, body_pt: float, line: str) -> str:
    return (f"--top:{page.top_mm}mm;--bottom:{page.bottom_mm}mm;--left:{page.left_mm}mm;"
            f"--right:{page.right_mm}mm;--body-pt:{body_pt}pt;--line:{line}")


def _pages(report: Report) -> dict[str, Page]:
    layout = report.layout
    out = {
        "/form": Page("自评表", pages.form_page(report, report.root),
                      _style(layout.page, layout.form.text_pt, "1.5")),
        "/report": Page("评价报告", pages.report_page(report),
                        _style(layout.page, layout.the_report.body_pt,
                               f"{layout.the_report.line_pt}pt")),
    }
    for project in report.projects:
        out[f"/projects/{project.slug}"] = Page(
            project.name, pages.form_page(project, report.root),
            _style(project.layout.page, project.layout.form.text_pt, "1.5"))
    return out


class Handler(BaseHTTPRequestHandler):
    state: State  # set on the subclass made for each server
    server_version = "perfdoc-preview"

    server: PreviewServer  # the server this handler answers for

    @property
    def _port(self) -> int:
        return self.server.server_port

    def _trusted(self) -> bool:
        """The Host names this server, and an Origin (sent by browsers on cross-site
        requests and on the event stream) names it too."""
        # A loopback name, with this port or none (no foreign site can own 127.0.0.1).
        allowed = {f"{name}:{self._port}" for name in LOOPBACK_NAMES}
        if (self.headers.get("Host") or "").lower() not in allowed | set(LOOPBACK_NAMES):
            return False
        origin = self.headers.get("Origin")
        return origin is None or origin.lower() in {f"http://{a}" for a in allowed}

    def log_message(self, format: str, *args: Any) -> None:  # quiet: the terminal shows the URL only
        pass

    def do_GET(self) -> None:
        try:
            self._get()
        except (BrokenPipeError, ConnectionResetError):
            pass  # the browser went away
        except Exception as exc:  # never kill the server over one request
            self._send(500, "text/plain; charset=utf-8", f"preview error: {exc!r}".encode())

    def _get(self) -> None:
        if not self._trusted():
            return self._send(403, "text/plain; charset=utf-8",
                              b"forbidden: the preview answers only to 127.0.0.1 and localhost")
        url = urlsplit(self.path)
        path = unquote(url.path)
        state = self.state
        if path == "/":
            self.send_response(302)
            self.send_header("Location", "/form")
            self.end_headers()
        elif path == "/events":
            self._events()
        elif path.startswith("/assets/") and path[8:] in ASSET_TYPES:
            self._send(200, ASSET_TYPES[path[8:]], (ASSETS / path[8:]).read_bytes())
        elif path.startswith("/source/"):
            self._source(path[8:])
        elif path in state.pages or (not state.pages and path in ("/form", "/report")):
            if url.query == "fragment=1":
                with state.changed:
                    page = state.pages.get(path)
                    body = json.dumps({"page": page.html if page else None,
                                       "problems": state.problems, "version": state.version},
                                      ensure_ascii=False)
                self._send(200, "application/json; charset=utf-8", body.encode())
            else:
                self._send(200, "text/html; charset=utf-8", self._shell(path).encode())
        else:
            self._send(404, "text/plain; charset=utf-8", b"not found")

    def _shell(self, path: str) -> str:
        state = self.state
        with state.changed:
            page = state.pages.get(path)
            links = "".join(f"<a href='{html.escape(p)}'"
                            f"{' class=current' if p == path else ''}>{html.escape(v.title)}</a>"
                            for p, v in state.pages.items())
            problems = "\n".join(state.problems)
            version = state.version
        doc = "report" if path == "/report" else "form"
        return (f"<!doctype html><html lang='zh-CN'><head><meta charset='utf-8'>"
                f"<title>{html.escape(page.title if page else 'perfdoc')} · perfdoc preview</title>"
                "<link rel='stylesheet' href='/assets/preview.css'></head>"
                f"<body data-version='{version}'><nav>{links}</nav>"
                f"<div id='problems' class='{'shown' if problems else ''}'>"
                f"{html.escape(problems)}</div>"
                f"<div id='page' class='sheet {doc}' style='{page.style if page else ''}'>"
                f"{page.html if page else ''}</div>"
                "<script src='/assets/preview.js'></script></body></html>")

    def _source(self, relative: str) -> None:
        """An image of the project: under a source folder, no link anywhere on the way,
        no `..`, a regular file within the size limit, and an image by its bytes."""
        root = self.state.root
        parts = relative.split("/")
        if "\\" in relative or parts[0] not in SOURCE_DIRS or \
                any(p in ("", ".", "..", ".git") for p in parts):
            return self._send(404, "text/plain; charset=utf-8", b"not found")
        path = root
        for part in parts:
            path = path / part
            if path.is_symlink():
                return self._send(404, "text/plain; charset=utf-8", b"not found")
        try:
            data = read_source(root, path, MAX_SOURCE_BYTES)
        except SourceError:
            return self._send(404, "text/plain; charset=utf-8", b"not found")
        kind = image_type(data)
        if kind is None:
            return self._send(404, "text/plain; charset=utf-8", b"not found")
        self._send(200, kind, data)

    def _events(self) -> None:
        self.send_response(200)
        self.send_header("Content-Type", "text/event-stream")
        self.send_header("Cache-Control", "no-store")
        self.end_headers()
        state = self.state
        with state.changed:
            seen = state.version
        while not self.server.stopping:
            with state.changed:
                state.changed.wait_for(partial(state.newer, seen), timeout=10)
                version = state.version
            if version != seen:
                seen = version
                self.wfile.write(f"data: {version}\n\n".encode())
            else:
                self.wfile.write(b": keep-alive\n\n")
            self.wfile.flush()

    def _send(self, status: int, kind: str, body: bytes) -> None:
        self.send_response(status)
        self.send_header("Content-Type", kind)
        self.send_header("Content-Length", str(len(body)))
        self.send_header("Cache-Control", "no-store")
        self.end_headers()
        self.wfile.write(body)


def serve(root: Path, port: int = 0, ready: Callable[[str], None] | None = None) -> None:
    """Serve until interrupted (Ctrl-C); `ready(url)` is called once listening."""
    import watchfiles

    state = State(root)
    state.rebuild()
    handler = type("BoundHandler", (Handler,), {"state": state})
    server = PreviewServer(("127.0.0.1", port), handler)
    server.daemon_threads = True
    thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.2},
                              name="perfdoc-http", daemon=True)
    thread.start()
    url = f"http://127.0.0.1:{server.server_address[1]}/form"
    try:
        paths = [root / d for d in SOURCE_DIRS if (root / d).is_dir()]
        # The first (empty) yield comes once the watcher is in place: only then is the
        # address printed, so a save made right after it is seen.
        for changes in watchfiles.watch(*paths, debounce=200, step=20, rust_timeout=200,
                                        yield_on_timeout=True):
            if ready:
                ready(url)
                ready = None
            if changes:
                state.rebuild()
    finally:
        server.stopping = True
        with state.changed:
            state.changed.notify_all()
        server.shutdown()
        server.server_close()


class PreviewServer(ThreadingHTTPServer):
    stopping = False  # set when the server shuts down: event streams end
