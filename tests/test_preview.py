"""perfdoc preview in a real browser (Debian's chromium, driven by Playwright), on loopback."""

from __future__ import annotations

import re
import select
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request

import pytest
from conftest import ROOT, chromium, copy_project


@pytest.fixture()
def preview(tmp_path):
    """A preview server on a copy of the sample: (project, base URL, process)."""
    project = copy_project(ROOT, tmp_path / "p")
    proc = subprocess.Popen([sys.executable, "-m", "perfdoc", "preview", str(project)],
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    ready, _, _ = select.select([proc.stdout], [], [], 30)
    assert ready, "the preview did not start"
    line = proc.stdout.readline()
    url = re.search(r"http://127\.0\.0\.1:\d+", line).group(0)
    yield project, url, proc
    if proc.poll() is None:
        proc.kill()
        proc.wait()


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
