"""perfdoc preview in a real browser (Debian's chromium, driven by Playwright), on loopback."""

from __future__ import annotations

import http.client
import json
import os
import re
import select
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path

import pytest
from conftest import ROOT, chromium, copy_project, tiny_png

from perfdoc.sources.layout import LAYOUT_DIR


def start_preview(project, **env):
    proc = subprocess.Popen([sys.executable, "-m", "perfdoc", "preview", str(project)],
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                            env={**os.environ, **env})
    ready, _, _ = select.select([proc.stdout], [], [], 30)
    assert ready, "the preview did not start"
    line = proc.stdout.readline()
    return re.search(r"http://127\.0\.0\.1:\d+", line).group(0), proc


@pytest.fixture()
def preview(tmp_path):
    """A preview server on a copy of the sample: (project, base URL, process)."""
    project = copy_project(ROOT, tmp_path / "p")
    url, proc = start_preview(project)
    yield project, url, proc
    if proc.poll() is None:
        proc.kill()
        proc.wait()


def fragment(url: str) -> dict:
    status, body = get(url + "/form?fragment=1")
    assert status == 200
    return json.loads(body)


def wait_for(condition, seconds: float = 15) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if condition():
            return
        time.sleep(0.1)
    raise AssertionError("the preview did not show the change in time")


def get(url: str, method: str = "GET") -> tuple[int, bytes]:
    try:
        with urllib.request.urlopen(urllib.request.Request(url, method=method), timeout=10) as r:
            return r.status, r.read()
    except urllib.error.HTTPError as exc:
        return exc.code, b""


def test_the_page_updates_itself_on_save(preview):
    from playwright.sync_api import sync_playwright

    project, url, proc = preview
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=chromium(), args=[
            "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
            "--disable-background-networking", "--disable-component-update", "--disable-sync"])
        try:
            page = browser.new_page()
            page.goto(f"{url}/form")
            # the indicator table, merged by the same plan as the Word form
            cell = page.locator("table.indicators td", has_text="部门管理").first
            assert cell.get_attribute("rowspan") == "13"
            total = page.locator("table.indicators tr.total").first.inner_text()
            assert re.sub(r"\s+", "", total) == "合计100"
            page.evaluate("window.__unchanged = true")  # gone if the page reloads

            path = project / "content" / "03-achievements.md"
            path.write_text(path.read_text(encoding="utf-8") + "\n本年度新增一句话。\n",
                            encoding="utf-8")
            started = time.monotonic()
            page.wait_for_function("document.body.innerText.includes('本年度新增一句话')",
                                   timeout=15_000)
            seconds = time.monotonic() - started
            assert page.evaluate("window.__unchanged === true")  # updated in place
            print(f"save to updated DOM: {seconds * 1000:.0f} ms")

            csv = project / "indicators" / "02-部门管理.csv"
            good = csv.read_text(encoding="utf-8")
            csv.write_text(good.replace(",3,3,规范", ",3,4,规范", 1), encoding="utf-8")
            page.wait_for_function(
                "document.getElementById('problems').innerText.includes('PD309')",
                timeout=15_000)
            assert page.locator("#problems.shown").count() == 1
            assert "本年度新增一句话" in page.inner_text("#page")  # the last good render stays
            csv.write_text(good, encoding="utf-8")
            page.wait_for_function(
                "!document.getElementById('problems').classList.contains('shown')",
                timeout=15_000)
            assert page.evaluate("window.__unchanged === true")
        finally:
            browser.close()
    proc.send_signal(signal.SIGINT)  # Ctrl-C
    assert proc.wait(timeout=10) == 0
    assert "Traceback" not in proc.stderr.read()


def test_every_document_has_a_page(preview):
    _, url, _ = preview
    for path in ("/form", "/report", "/projects/01-电子政务外网运维", "/projects/03-视频会议系统扩容"):
        status, body = get(url + urllib.request.quote(path))
        assert status == 200 and b"id='page'" in body, path
    status, body = get(url + "/report")
    text = body.decode()
    assert "（一）部门基本情况" in text  # the report's demoted numbering, as in Word
    status, body = get(url + urllib.request.quote("/projects/01-电子政务外网运维"))
    assert "99.97%" in body.decode() and "98.99" in body.decode()


def test_only_loopback_only_get_nothing_outside(preview):
    project, url, proc = preview
    assert url.startswith("http://127.0.0.1:")
    for path in ("/../../etc/passwd", "/source/../../etc/passwd", "/source/%2Fetc%2Fpasswd",
                 "/source/content/01-overview.md", "/assets/../server.py", "/%2e%2e/%2e%2e/etc"):
        status, body = get(url + path)
        assert status == 404 and b"root:" not in body, path
    assert get(url + "/form", "POST")[0] in (405, 501)
    host, port = url[7:].split(":")
    with socket.create_connection((host, int(port)), timeout=5) as s:  # a malformed request
        s.sendall(b"\x00\xffGARBAGE /\r\n\r\n")
        s.recv(1024)
    assert get(url + "/form")[0] == 200  # still serving
    assert proc.poll() is None


def raw_get(url: str, path: str, headers: dict[str, str]) -> int:
    """A request with the headers exactly as given (urllib would set its own Host)."""
    host, port = url[7:].split(":")
    conn = http.client.HTTPConnection(host, int(port), timeout=10)
    try:
        conn.putrequest("GET", path, skip_host=True, skip_accept_encoding=True)
        for name, value in headers.items():
            conn.putheader(name, value)
        conn.endheaders()
        response = conn.getresponse()
        return response.status
    finally:
        conn.close()


def test_a_foreign_host_or_origin_is_refused(preview):
    """DNS rebinding: a page elsewhere whose name now points at 127.0.0.1 sends its
    own Host (and Origin); only the loopback names with this port are served."""
    _, url, proc = preview
    port = url.rsplit(":", 1)[1]
    for host in ("attacker.example:" + port, "attacker.example", "127.0.0.1:1",
                 "127.0.0.1.attacker.example:" + port, ""):
        assert raw_get(url, "/form", {"Host": host}) == 403, host
        assert raw_get(url, "/form?fragment=1", {"Host": host}) == 403, host
    for host in (f"127.0.0.1:{port}", f"localhost:{port}", f"LOCALHOST:{port}", "127.0.0.1"):
        assert raw_get(url, "/form", {"Host": host}) == 200, host
    ok = {"Host": f"127.0.0.1:{port}"}
    assert raw_get(url, "/events", {**ok, "Origin": "http://attacker.example"}) == 403
    assert raw_get(url, "/form", {**ok, "Origin": f"http://evil.example:{port}"}) == 403
    assert raw_get(url, "/form", {**ok, "Origin": f"http://localhost:{port}"}) == 200
    assert proc.poll() is None


def test_only_real_images_that_are_not_links_are_served(tmp_path):
    project = copy_project(ROOT, tmp_path / "p")
    (project / ".git").mkdir()
    (project / ".git" / "config").write_text("[remote]\nurl = https://user:secret@example\n")
    images = project / "content" / "images"
    images.mkdir()
    (images / "gitcfg.png").symlink_to("../../.git/config")
    (images / "words.png").write_text("not an image at all", encoding="utf-8")
    (images / "real.png").write_bytes(tiny_png())
    (images / "linked").symlink_to(".")
    url, proc = start_preview(project)
    try:
        for name in ("gitcfg.png", "words.png", "linked/real.png"):
            status, body = get(f"{url}/source/content/images/{name}")
            assert status == 404 and b"secret" not in body, name
        status, body = get(f"{url}/source/content/images/real.png")
        assert status == 200 and body == tiny_png()
    finally:
        proc.kill()
        proc.wait()


@pytest.mark.parametrize("windows", [False, True], ids=["posix", "windows-shim"])
def test_the_preview_outlives_the_run_limit_and_each_rebuild_keeps_its_limits(tmp_path, windows):
    """PERFDOC_TIME_LIMIT bounds each rebuild, not the server: after the limit the
    page still answers and takes a save; a looping template is stopped by its CPU
    budget (PD505, shown on the page), and the next good save is shown. The same
    without the POSIX timers (tests/windows_shim: the watchdog thread does it)."""
    project = copy_project(ROOT, tmp_path / "p")
    shim = {"PYTHONPATH": str(Path(__file__).parent / "windows_shim")} if windows else {}
    url, proc = start_preview(project, PERFDOC_TIME_LIMIT="3", **shim)
    try:
        time.sleep(3 + 5)
        assert proc.poll() is None, proc.stderr.read()
        assert get(url + "/form")[0] == 200
        path = project / "content" / "03-achievements.md"
        good = path.read_text(encoding="utf-8")
        path.write_text(good + "\n限时之后的一句话。\n", encoding="utf-8")
        wait_for(lambda: "限时之后的一句话" in (fragment(url)["page"] or ""))

        loop = ("{% for a in ('x' * 99999) | list %}{% for b in ('x' * 99999) | list %}"
                "{% endfor %}{% endfor %}")
        path.write_text(good + f"\n{loop}\n", encoding="utf-8")
        wait_for(lambda: any("PD505" in p for p in fragment(url)["problems"]))
        assert "限时之后的一句话" in fragment(url)["page"]  # the last good page stays

        path.write_text(good + "\n循环之后的一句话。\n", encoding="utf-8")
        wait_for(lambda: "循环之后的一句话" in (fragment(url)["page"] or ""))
        assert fragment(url)["problems"] == []
        assert proc.poll() is None
    finally:
        proc.send_signal(signal.SIGINT)
        assert proc.wait(timeout=10) == 0
    assert "Traceback" not in proc.stderr.read()


def test_a_broken_layout_shows_on_the_page_and_keeps_the_server(tmp_path):
    """A layout title naming an unknown field (once a traceback that ended the watcher)
    shows its diagnostic, and the next good save is shown."""
    project = copy_project(ROOT, tmp_path / "p")
    url, proc = start_preview(project)
    try:
        facts = project / "content" / "report.md"
        good = facts.read_text(encoding="utf-8")
        layout = (LAYOUT_DIR / "jiangsu-2020.toml").read_text(encoding="utf-8")
        (project / "content" / "mine.toml").write_text(
            layout.replace('title = "{unit}\\n{year}年度部门整体支出绩效评价报告"',
                           'title = "（{年度}）"'), encoding="utf-8")
        facts.write_text(good.replace("layout: jiangsu-2020", "layout: content/mine.toml"),
                         encoding="utf-8")
        wait_for(lambda: any("PD003" in p and "{year}" in p for p in fragment(url)["problems"]))
        facts.write_text(good + "\n", encoding="utf-8")
        wait_for(lambda: fragment(url)["problems"] == [])
        assert proc.poll() is None
    finally:
        proc.kill()
        proc.wait()
