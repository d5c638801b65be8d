"""Validate a .docx or .xlsx against the ECMA-376 transitional schemas, as Office reads it.

Every XML part is validated after Markup Compatibility processing (namespaces that
`mc:Ignorable` names are removed, `mc:AlternateContent` keeps its Fallback), with
the schema of its root element's namespace. Then the package rules the XSDs do not
express: a content type for every part, every internal relationship target present,
`w:rPr` children in the order Word requires (the transitional XSD allows any order
there; Word does not), and spreadsheet style indexes within the stylesheet.

The schemas are tests/ooxml-xsd/ (see its README.md); their `xsd:import`s name only a
namespace, so a copy with every import pointed at its local file is made once.
"""

from __future__ import annotations

import functools
import posixpath
import re
import shutil
import tempfile
import zipfile
from pathlib import Path

from lxml import etree

XSD = Path(__file__).parent / "ooxml-xsd"
MC = "http://schemas.openxmlformats.org/markup-compatibility/2006"
W = "http://schemas.openxmlformats.org/wordprocessingml/2006/main"
SS = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
PKG_REL = "http://schemas.openxmlformats.org/package/2006/relationships"
CT = "http://schemas.openxmlformats.org/package/2006/content-types"

# The root namespace of a part -> the schema file that declares its root element.
SCHEMA_OF = {
    W: "wml.xsd",
    SS: "sml.xsd",
    "http://schemas.openxmlformats.org/drawingml/2006/main": "dml-main.xsd",
    "http://schemas.openxmlformats.org/officeDocument/2006/extended-properties":
        "shared-documentPropertiesExtended.xsd",
    "http://schemas.openxmlformats.org/officeDocument/2006/custom-properties":
        "shared-documentPropertiesCustom.xsd",
    "http://schemas.openxmlformats.org/package/2006/metadata/core-properties":
        "opc-coreProperties.xsd",
    CT: "opc-contentTypes.xsd",
    PKG_REL: "opc-relationships.xsd",
}

# w:rPr children in the order of CT_RPr's sequence in the strict schema (Word's order).
RPR_ORDER = ("rStyle", "rFonts", "b", "bCs", "i", "iCs", "caps", "smallCaps", "strike", "dstrike",
             "outline", "shadow", "emboss", "imprint", "noProof", "snapToGrid", "vanish",
             "webHidden", "color", "spacing", "w", "kern", "position", "sz", "szCs", "highlight",
             "u", "effect", "bdr", "shd", "fitText", "vertAlign", "rtl", "cs", "em", "lang",
             "eastAsianLayout", "specVanish", "oMath", "rPrChange")


@functools.lru_cache(maxsize=1)
def _schema_dir() -> Path:
    """A copy of the schemas in which every import names its local file."""
    out = Path(tempfile.mkdtemp(prefix="perfdoc-xsd-"))
    files = {p.name: p for p in XSD.rglob("*.xsd")}
    by_namespace = {}
    for name, path in files.items():
        found = re.search(rb'targetNamespace="([^"]+)"', path.read_bytes())
        if found:
            by_namespace.setdefault(found.group(1).decode(), name)
    for name, path in files.items():
        text = path.read_text(encoding="utf-8")

        def locate(match: re.Match) -> str:
            tag, namespace = match.group(0), match.group(1)
            if namespace not in by_namespace:
                return tag
            tag = re.sub(r'\s+schemaLocation="[^"]*"', "", tag)  # a remote one, or none
            return tag.replace(f'namespace="{namespace}"',
                               f'namespace="{namespace}" schemaLocation="{by_namespace[namespace]}"')
        (out / name).write_text(re.sub(r'<xsd?:import\s[^>]*?namespace="([^"]+)"[^>]*>', locate,
                                       text), encoding="utf-8")
    return out


@functools.cache
def schema(file_name: str) -> etree.XMLSchema:
    return etree.XMLSchema(etree.parse(str(_schema_dir() / file_name)))


def markup_compatibility(root) -> None:
    """Office's reading of mc: ignorable namespaces removed, Fallback chosen."""
    ignorable = set()
    for element in root.iter():
        value = element.get(f"{{{MC}}}Ignorable")
        if value:
            ignorable |= {element.nsmap.get(prefix) for prefix in value.split()}
            del element.attrib[f"{{{MC}}}Ignorable"]
    for element in list(root.iter(f"{{{MC}}}AlternateContent")):
        fallback = element.find(f"{{{MC}}}Fallback")
        parent = element.getparent()
        for child in (list(fallback) if fallback is not None else []):
            element.addprevious(child)
        parent.remove(element)
    for element in list(root.iter()):
        if not isinstance(element.tag, str):
            continue
        if etree.QName(element).namespace in ignorable and element.getparent() is not None:
            element.getparent().remove(element)
            continue
        for name in list(element.attrib):
            if name.startswith("{") and etree.QName(name).namespace in ignorable | {MC}:
                del element.attrib[name]


def problems(path: Path) -> list[str]:
    """Everything wrong with the package, one line each; [] when it is valid."""
    out: list[str] = []
    with zipfile.ZipFile(path) as z:
        names = set(z.namelist())
        parts = {name: z.read(name) for name in names if not name.endswith("/")}
    types = etree.fromstring(parts["[Content_Types].xml"])
    defaults = {d.get("Extension").lower() for d in types.iter(f"{{{CT}}}Default")}
    overrides = {o.get("PartName") for o in types.iter(f"{{{CT}}}Override")}
    for name, data in sorted(parts.items()):
        if name != "[Content_Types].xml" and f"/{name}" not in overrides and \
                name.rsplit(".", 1)[-1].lower() not in defaults:
            out.append(f"{name}: no content type")
        if not name.endswith((".xml", ".rels")):
            continue
        root = etree.fromstring(data)
        markup_compatibility(root)
        namespace = etree.QName(root).namespace
        if namespace not in SCHEMA_OF:
            out.append(f"{name}: no schema for {namespace}")
            continue
        validator = schema(SCHEMA_OF[namespace])
        if not validator.validate(root):
            out += [f"{name}:{e.line}: {e.message}" for e in validator.error_log]
        if name.endswith(".rels"):
            out += _relationships(name, root, parts)
        if namespace == W:
            out += _rpr_order(name, root)
            out += _style_references(name, root, parts)
        if name.startswith("xl/worksheets/"):
            out += _style_indexes(name, root, parts)
    return out


def _relationships(name: str, root, parts: dict) -> list[str]:
    base = posixpath.dirname(posixpath.dirname(name))  # word/_rels/x.rels -> word
    out = []
    for rel in root.iter(f"{{{PKG_REL}}}Relationship"):
        if rel.get("TargetMode") == "External":
            continue
        target = rel.get("Target")
        resolved = target.lstrip("/") if target.startswith("/") else \
            posixpath.normpath(posixpath.join(base, target))
        if resolved not in parts:
            out.append(f"{name}: relationship {rel.get('Id')} to missing part {resolved}")
    return out


def _rpr_order(name: str, root) -> list[str]:
    out = []
    for rpr in root.iter(f"{{{W}}}rPr"):
        ranks = [RPR_ORDER.index(etree.QName(c).localname) if etree.QName(c).localname in
                 RPR_ORDER else -1 for c in rpr if isinstance(c.tag, str)]
        if ranks != sorted(ranks) or -1 in ranks:
            out.append(f"{name}:{rpr.sourceline}: w:rPr children out of Word's order: "
                       + " ".join(etree.QName(c).localname for c in rpr))
    return out


def _style_references(name: str, root, parts: dict) -> list[str]:
    """Every style a part names (pStyle, basedOn, a numbering level's pStyle …) exists."""
    styles = etree.fromstring(parts["word/styles.xml"]) if "word/styles.xml" in parts else None
    known = {s.get(f"{{{W}}}styleId") for s in styles.iter(f"{{{W}}}style")} \
        if styles is not None else set()
    out = []
    for tag in ("pStyle", "rStyle", "tblStyle", "basedOn", "next", "link"):
        for ref in root.iter(f"{{{W}}}{tag}"):
            if ref.get(f"{{{W}}}val") not in known:
                out.append(f"{name}:{ref.sourceline}: w:{tag} names the missing style "
                           f"{ref.get(f'{{{W}}}val')}")
    return out


def _style_indexes(name: str, root, parts: dict) -> list[str]:
    styles = etree.fromstring(parts["xl/styles.xml"])
    xfs = styles.find(f"{{{SS}}}cellXfs")
    count = len(xfs) if xfs is not None else 0
    return [f"{name}: cell {c.get('r')} uses style {c.get('s')} of {count}"
            for c in root.iter(f"{{{SS}}}c") if int(c.get("s", "0")) >= count]


def cleanup() -> None:
    shutil.rmtree(_schema_dir(), ignore_errors=True)
