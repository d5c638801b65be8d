"""docs/preview.png: the preview of the sample's form, as a browser shows it (make pictures)."""

import re
import subprocess
import sys
from pathlib import Path

from playwright.sync_api import sync_playwright

root = Path(__file__).resolve().parents[1]
proc = subprocess.Popen([sys.executable, "-m", "perfdoc", "preview", str(root)],
                        stdout=subprocess.PIPE, text=True)
try:
    url = re.search(r"http://127\.0\.0\.1:\d+", proc.stdout.readline()).group(0)
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path="/usr/bin/chromium", args=[
            "--no-sandbox", "--disable-gpu", "--disable-background-networking"])
        page = browser.new_page(viewport={"width": 1000, "height": 900})
        page.goto(f"{url}/form")
        page.screenshot(path=str(root / "docs" / "preview.png"))
        browser.close()
finally:
    proc.terminate()
    proc.wait()
