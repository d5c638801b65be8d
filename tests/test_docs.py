"""The README is the user's manual: it must keep up with the code."""

import re

from conftest import ROOT

from perfdoc.diagnostics import CODES


def test_every_diagnostic_code_is_documented_once():
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    documented = re.findall(r"^\| (PD\d{3}) \|", readme, flags=re.M)
    assert sorted(documented) == sorted(CODES)


def test_readme_shows_the_two_commands_and_the_picture():
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    assert "make docx" in readme and "make test" in readme
    picture = re.search(r"!\[[^\]]*\]\((docs/[^)]+\.png)\)", readme).group(1)
    assert (ROOT / picture).read_bytes().startswith(b"\x89PNG")


def test_the_forge_workflow_skips_only_the_tools_its_runners_lack():
    """tests.yml runs the suite on Linux and Windows without LibreOffice or a browser:
    it names exactly the tools the tests ask for, and .ci/run (the gate) names none."""
    import yaml

    workflow = yaml.safe_load((ROOT / ".github" / "workflows" / "tests.yml").read_text(
        encoding="utf-8"))
    job = workflow["jobs"]["test"]
    assert job["strategy"]["matrix"]["os"] == ["ubuntu-latest", "windows-latest"]
    assert job["strategy"]["matrix"]["python"] == ["3.11", "3.12", "3.13"]
    conftest = (ROOT / "tests" / "conftest.py").read_text(encoding="utf-8")
    asked = set(re.findall(r'required_tool\(\([^)]*\), "([^"]+)"\)', conftest))
    assert set(job["env"]["PERFDOC_TESTS_WITHOUT"].split(",")) == asked
    assert "PERFDOC_TESTS_WITHOUT" not in (ROOT / ".ci" / "run").read_text(encoding="utf-8")
    runs = " ".join(step.get("run", "") for step in job["steps"])
    assert "ruff check" in runs and "mypy" in runs and "pytest" in runs
