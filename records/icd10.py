"""ICD-10-CM codes from the offline table shipped by ``simple-icd-10-cm``."""

from __future__ import annotations

from functools import lru_cache

import simple_icd_10_cm as icd


def normalise(code: str) -> str:
    """``j069`` / ``J06.9 `` -> ``J06.9`` (the dotted form the table describes)."""
    code = (code or "").strip().upper()
    if not code:
        return ""
    if "." in code or len(code) <= 3:
        return code
    try:
        return icd.add_dot(code)
    except ValueError:  # not in the table: keep it as typed, is_valid() says no
        return code


def is_valid(code: str) -> bool:
    """A diagnosis code (a category or below, never a chapter or block)."""
    code = normalise(code)
    return bool(code) and icd.is_valid_item(code) and not icd.is_chapter_or_block(code)


def describe(code: str) -> str:
    return icd.get_description(normalise(code))


@lru_cache(maxsize=1)
def _index() -> tuple[tuple[str, str, str], ...]:
    """(code, code without dot, lower-case description) for every diagnosis code: built once."""
    rows = []
    for code in icd.get_all_codes(True):
        if icd.is_chapter_or_block(code):
            continue
        description = icd.get_description(code)
        rows.append((code, code.replace(".", ""), description.lower()))
    return tuple(rows)


def search(query: str, *, limit: int = 20) -> list[dict[str, str]]:
    """Codes starting with ``query`` (with or without the dot), or whose description holds
    every word of it; shortest codes (the most general) first."""
    query = (query or "").strip()
    if len(query) < 2:
        return []
    prefix = query.upper().replace(".", "")
    words = query.lower().split()
    found = []
    for code, bare, description in _index():
        if bare.startswith(prefix) or all(word in description for word in words):
            found.append(code)
            if len(found) >= limit * 5:
                break
    found.sort(key=lambda c: (len(c), c))
    return [{"code": code, "description": icd.get_description(code)} for code in found[:limit]]
