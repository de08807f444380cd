"""ICD-10-CM codes from the offline table shipped by ``simple-icd-10-cm``."""

from __future__ import annotations

import bisect
import re
from functools import lru_cache


def _icd():
    """The code table, imported on first use: it holds ~180 MB in memory, which a worker that
    never validates a code (most portal requests) should not pay for."""
    import simple_icd_10_cm

    return simple_icd_10_cm


def normalise(code: str) -> str:
    """``j069`` / ``J06.9 `` -> ``J06.9`` (the dotted form the table describes)."""
    code = (code or "").strip().upper()
    if not code:
        return ""
    if "." in code or len(code) <= 3:
        return code
    try:
        return _icd().add_dot(code)
    except ValueError:  # not in the table: keep it as typed, is_valid() says no
        return code


def is_valid(code: str) -> bool:
    """A diagnosis code (a category or below, never a chapter or block)."""
    code = normalise(code)
    return bool(code) and _icd().is_valid_item(code) and not _icd().is_chapter_or_block(code)


def describe(code: str) -> str:
    return _icd().get_description(normalise(code))


_CODE_LIKE = re.compile(r"[A-Z][0-9][0-9A-Z.]*")


@lru_cache(maxsize=1)
def _index() -> tuple[list[str], list[str], list[str]]:
    """Diagnosis codes sorted by their undotted form, with the dotted code and the lower-case
    description alongside: built once per process (about a second), then searched in memory."""
    icd = _icd()
    rows = sorted(
        (code.replace(".", ""), code, icd.get_description(code).lower())
        for code in icd.get_all_codes(True)
        if not icd.is_chapter_or_block(code)
    )
    return [r[0] for r in rows], [r[1] for r in rows], [r[2] for r in rows]


def search(query: str, *, limit: int = 20) -> list[dict[str, str]]:
    """Codes starting with ``query`` when it looks like a code (``J06``, ``j06.9``), otherwise
    codes whose description holds every word of it; the most general (shortest) codes first."""
    query = (query or "").strip()
    if len(query) < 2:
        return []
    bare_codes, codes, descriptions = _index()
    prefix = query.upper().replace(".", "")
    found: list[str] = []
    if _CODE_LIKE.fullmatch(prefix):
        i = bisect.bisect_left(bare_codes, prefix)
        while i < len(bare_codes) and bare_codes[i].startswith(prefix) and len(found) < limit * 5:
            found.append(codes[i])
            i += 1
    else:
        words = query.lower().split()
        for code, description in zip(codes, descriptions, strict=True):
            if all(word in description for word in words):
                found.append(code)
                if len(found) >= limit * 5:
                    break
    found.sort(key=lambda c: (len(c), c))
    return [{"code": code, "description": describe(code)} for code in found[:limit]]
