"""The sample's outputs, byte for byte, as pinned digests.

The form engine is being reshaped in steps that must not change a byte of what the
sample builds (DESIGN §5): this test holds each step to that. A change that means to
alter the output updates these digests in a commit of its own that says why.
"""

from __future__ import annotations

import hashlib
import os
import subprocess
import sys

from conftest import ROOT, copy_project

PINNED = {  # SOURCE_DATE_EPOCH=1609459200 (2021-01-01), the sample as published
    "form.docx": "c68cd97013d316c52862ad21c57f6d2a76cd800b60f1ef3c8383cbef224e97eb",
    "report.docx": "109afe90063b4d5b7d64e4e2a7f2e618f1d80906b2a9c86446306f7c2511044a",
    "scores.xlsx": "8f2ea7c5ebfdbdcfcc4970bf831a8a23f4f30704e4c32b1e50c27cd511b970f8",
    "projects.xlsx": "80d3901cf079ff47288c3b2ef3bc13bc1f7af03e738912622bb15b2be68a0fa9",
    "projects/01-电子政务外网运维.docx":
        "ad7d9676d538e5ce31727a1bddfb6b90141accbda72e8af2deff93a4b3bc1ee7",
    "projects/02-商务运行监测平台升级.docx":
        "e065d3d6f4c620a7efbd90eda168a2d3cb61236a08703ac0e952879ccd8abec6",
    "projects/03-视频会议系统扩容.docx":
        "b7d8ba40e218ad436bae1e7c3372f01bbb703fa5ab5af0537549a5f20d80f702",
}


def test_the_sample_builds_the_pinned_bytes(tmp_path):
    project = copy_project(ROOT, tmp_path / "p", as_published=True)
    env = {**os.environ, "SOURCE_DATE_EPOCH": "1609459200"}
    done = subprocess.run([sys.executable, "-m", "perfdoc", "build", str(project)], env=env,
                          capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stdout + done.stderr
    built = {p.relative_to(project / "build").as_posix(): hashlib.sha256(p.read_bytes()).hexdigest()
             for p in (project / "build").rglob("*") if p.is_file()}
    assert built == PINNED
