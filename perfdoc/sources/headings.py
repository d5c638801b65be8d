"""Typed heading numbers, the GB/T 9704 way: 一、 （一） 1. （1）.

Writers type their numbering; perfdoc keeps it as text and reads its level from
it. In the report each section is itself a level-1 heading (一、部门概况), so the
numbering typed inside a section is printed one level down (一、 → （一）, keeping
the number): `demote` is that rewrite, the one place it is decided.
"""

from __future__ import annotations

import re

_CN = "零一二三四五六七八九"
_CN_NUMBER = "[一二三四五六七八九十百千零]+"

# Level, pattern (the number in group 1).
_TYPED = (
    (1, re.compile(rf"({_CN_NUMBER})、")),
    (2, re.compile(rf"[（(]({_CN_NUMBER})[）)]")),
    (3, re.compile(r"([0-9]+)[.．](?![0-9])")),
    (4, re.compile(r"[（(]([0-9]+)[）)]")),
)
CIRCLED = "①②③④⑤⑥⑦⑧⑨⑩⑪⑫⑬⑭⑮⑯⑰⑱⑲⑳"


def typed_heading(text: str) -> tuple[int | None, int]:
    """(level, 0) for a heading paragraph; (level, n) when only its first n characters,
    through the first 。, are the heading and body text follows; (None, 0) otherwise."""
    for level, pattern in _TYPED:
        if pattern.match(text):
            end = text.find("。")
            if end == -1 or not text[end + 1:].strip():
                return level, 0
            return level, end + 1
    return None, 0


_UNITS = {"十": 10, "百": 100, "千": 1000}


def cn_number(text: str) -> int:
    """一 -> 1, 十二 -> 12, 二十 -> 20, 一百零五 -> 105 (ordinals as typed in headings)."""
    total, current = 0, 0
    for ch in text:
        if ch in _UNITS:
            total += (current or 1) * _UNITS[ch]
            current = 0
        else:
            current = _CN.index(ch)
    return total + current


def cn_numeral(n: int) -> str:
    """1 -> 一, 12 -> 十二, 20 -> 二十, 105 -> 一百零五 (0 to 9999; the inverse of cn_number)."""
    if n < 10:
        return _CN[n]
    out, zero = "", False
    for unit, size in (("千", 1000), ("百", 100), ("十", 10), ("", 1)):
        digit, n = divmod(n, size)
        if digit:
            if zero:
                out += "零"
            out += _CN[digit] + unit
            zero = False
        elif out:
            zero = True
    return out[1:] if out.startswith("一十") else out  # 十二, not 一十二


def demote(text: str) -> tuple[int | None, str, str]:
    """(new level, old prefix, new prefix) for a paragraph starting with a typed
    number, one level down: 一、→（一） （一）→1. 1.→（1） （1）→①; (None, "", "")
    for any other text."""
    for level, pattern in _TYPED:
        match = pattern.match(text)
        if not match:
            continue
        number = match.group(1)
        if level == 1:
            new = f"（{number}）"
        elif level == 2:
            new = f"{cn_number(number)}."
        elif level == 3:
            new = f"（{number}）"
        else:
            n = int(number)
            new = CIRCLED[n - 1] if 1 <= n <= len(CIRCLED) else match.group(0)
        return min(level + 1, 4), match.group(0), new
    return None, "", ""


def demoted(text: str) -> str:
    """A paragraph as the report prints it: its typed number one level down."""
    level, old, new = demote(text)
    return new + text[len(old):] if level else text


def promote(text: str) -> str:
    """The inverse of `demote`, for reading a report back into sources: a paragraph
    that starts （一） was typed 一、, 1. was （一）, （1） was 1., ① was （1）."""
    if text and text[0] in CIRCLED:  # "" is in every string: an empty section crashed
        return f"（{CIRCLED.index(text[0]) + 1}）" + text[1:]
    for level, pattern in _TYPED[1:]:
        match = pattern.match(text)
        if match:
            number = match.group(1)
            if level == 2:
                new = f"{number}、"
            elif level == 3:
                new = f"（{cn_numeral(int(number))}）"
            else:
                new = f"{number}."
            return new + text[match.end():]
    return text
