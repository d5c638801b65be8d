"""`perfdoc init DIR`: a new report repository that builds, with CI for pull requests."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

SCAFFOLD = Path(__file__).parent / "scaffold"

# scaffold file -> path in the new repository (dot files are not shipped as such)
RENAMES = {
    "gitignore": ".gitignore",
    "github-workflow.yml": ".github/workflows/perfdoc.yml",
    "gitlab-ci.yml": ".gitlab-ci.yml",
}
FILLED = {"README.md", "content/report.md"}  # carry {year} and {unit}


class InitError(Exception):
    """The target cannot take a new report; the message is for the user."""


def init(target: Path, year: int, unit: str, force: bool = False) -> list[Path]:
    existing = [name for name in ("content", "indicators") if (target / name).exists()]
    if existing and not force:
        raise InitError(f"{target} 中已有 {'、'.join(existing)}/，不会覆盖；确需覆盖请加 --force")
    written = []
    for source in sorted(SCAFFOLD.rglob("*")):
        if not source.is_file() or "__pycache__" in source.parts:
            continue
        rel = source.relative_to(SCAFFOLD).as_posix()
        dest = target / RENAMES.get(rel, rel)
        dest.parent.mkdir(parents=True, exist_ok=True)
        if rel in FILLED:
            # In YAML the unit is a quoted string (JSON's quoting is valid YAML).
            shown = json.dumps(unit, ensure_ascii=False) if rel.endswith(".md") and \
                rel.startswith("content/") else unit
            text = source.read_text(encoding="utf-8")
            dest.write_text(text.replace("{year}", str(year)).replace("{unit}", shown),
                            encoding="utf-8")
        else:
            shutil.copyfile(source, dest)
        written.append(dest)
    return written
