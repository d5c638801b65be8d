"""Property: any value in a layout file gives a layout diagnostic or a valid build.

Layout files arrive in pull requests, so each value is replaced, in turn, by arbitrary
TOML values (hypothesis): the layout is either refused with a LayoutError (PD003,
naming the file and key) or it builds documents that pass the schema validation.
Never an exception, never a document Word cannot open.
"""

from __future__ import annotations

import copy
import tempfile
import tomllib
from pathlib import Path
from unittest import mock

from conftest import FIXTURES, ROOT, copy_project
from hypothesis import HealthCheck, event, given, settings
from hypothesis import strategies as st
from ooxml_validate import problems

from perfdoc.build import build
from perfdoc.sources import load
from perfdoc.sources.layout import LAYOUT_DIR, LayoutError, parse_layout

SAMPLES = {"jiangsu-2020": ROOT, "central-department": FIXTURES / "central-department"}

# What TOML can hold, biased to the edges: zero, huge, NaN, control characters,
# braces (title placeholders), long text, wrong shapes.
SCALARS = st.one_of(
    st.integers(min_value=-(10**20), max_value=10**20),
    st.sampled_from([0, 1, -1, 2**63 - 1, 10**6]),
    st.floats(allow_nan=True, allow_infinity=True),
    st.text(alphabet=st.sampled_from(list("a一{}（）%:\"\\\n\t\x00\x01\u2028 ")), max_size=12),
    st.sampled_from(["", "{year}", "{0:>9999999}", "{unit}{x}", "x" * 5000, "1e999", "NaN",
                     "level9", "center", "coefficient", "优", "-5"]),
    st.booleans(),
)
VALUES = st.one_of(SCALARS, st.lists(SCALARS, max_size=3),
                   st.dictionaries(st.sampled_from(["field", "x", "width"]), SCALARS, max_size=2))
# Values of the original's own type, so that many mutated layouts are accepted and built.
LIKE = {
    str: st.one_of(st.text(st.characters(blacklist_categories=("Cc", "Cs")), max_size=30),
                   st.sampled_from(["", "{year}", "{unit}", "x" * 200])),
    int: st.one_of(st.integers(min_value=-5, max_value=3000), st.sampled_from([0, 1])),
    float: st.one_of(st.floats(min_value=0, max_value=3000), st.sampled_from([0.0, 0.01])),
    bool: st.booleans(),
}


def value_for(original: object) -> st.SearchStrategy:
    like = LIKE.get(type(original))
    return st.one_of(like, like, like, VALUES) if like is not None else VALUES


def leaves(data: object, path: tuple = ()) -> list[tuple]:
    """Every path to a value in the parsed TOML, tables and lists included."""
    out = [path] if path else []
    if isinstance(data, dict):
        for key, value in data.items():
            out += leaves(value, (*path, key))
    elif isinstance(data, list):
        for n, value in enumerate(data):
            out += leaves(value, (*path, n))
    return out


def replaced(data: dict, path: tuple, value: object) -> dict:
    out = copy.deepcopy(data)
    here = out
    for key in path[:-1]:
        here = here[key]
    here[path[-1]] = value
    return out


@settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.data())
def test_any_layout_value_is_a_diagnostic_or_a_valid_build(data):
    name = data.draw(st.sampled_from(sorted(SAMPLES)))
    original = tomllib.loads((LAYOUT_DIR / f"{name}.toml").read_text(encoding="utf-8"))
    path = data.draw(st.sampled_from(leaves(original)))
    here = original
    for key in path:
        here = here[key]
    mutated = replaced(original, path, data.draw(value_for(here)))
    try:
        layout = parse_layout(mutated, "fuzz.toml")
    except LayoutError as exc:
        assert str(exc).startswith("版式文件 fuzz.toml：")
        event("refused")
        return
    event("accepted")
    with tempfile.TemporaryDirectory() as tmp:
        project = copy_project(SAMPLES[name], Path(tmp) / "p")
        with mock.patch.object(load, "load_layout", lambda *args, **kwargs: layout):
            result = build(project, Path(tmp) / "out")  # must not raise
        event("built" if result.ok else "build refused")
        if result.ok:
            for doc in ("form.docx", "report.docx"):
                assert problems(Path(tmp) / "out" / doc) == [], (path, doc)
