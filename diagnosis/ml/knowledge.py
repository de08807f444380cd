"""Load and validate the symptom checker's knowledge base (reviewable YAML).

Layout (see ``diagnosis/knowledge/``)::

    findings/<group>.yaml     a list of findings (symptoms, signs, context, duration, onset)
    conditions/<system>.yaml  a list of conditions referencing findings by code

Loading never stops at the first problem: every problem found is collected and raised together in
one :class:`KnowledgeBaseError`, so a reviewer fixes a whole file in one pass.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from types import MappingProxyType
from typing import Any

import yaml

from clinic.specialties import SPECIALTIES
from diagnosis.ml import lexicon as lx

DEFAULT_PATH = Path(__file__).resolve().parent.parent / "knowledge"

FINDING_KINDS = ("symptom", "sign", "context", "duration", "onset")
URGENCIES = ("emergency", "urgent", "routine", "self_care")
PREVALENCES = ("very_common", "common", "uncommon", "rare", "very_rare")
SEXES = ("any", "female", "male")
MIN_PROBABILITY = 0.01
MAX_PROBABILITY = 0.99

_CODE_RE = re.compile(r"^[a-z][a-z0-9_]*$")


class KnowledgeBaseError(ValueError):
    """The knowledge base has problems; ``problems`` lists every one of them."""

    def __init__(self, problems: Iterable[str]) -> None:
        self.problems: list[str] = list(problems)
        summary = f"{len(self.problems)} problem(s) in the knowledge base:\n" + "\n".join(
            f"  - {p}" for p in self.problems
        )
        super().__init__(summary)


@dataclass(frozen=True)
class Finding:
    code: str
    label: str
    lay: str
    kind: str
    site: str | None = None
    synonyms: tuple[str, ...] = ()
    misspellings: tuple[str, ...] = ()
    # reassurances that say the finding is absent ("plenty of wet nappies", "weeing normally")
    denials: tuple[str, ...] = ()
    # phrases that mean this finding only when the text speaks of its site ("hurts to walk" is
    # peritonism after "tummy pain", not after "my calf is sore"); see ``context.site_of``
    site_bound: tuple[str, ...] = ()
    # synonyms other findings list too, on purpose: the phrase means all of them ("was raped" is
    # a trauma and a possible HIV exposure); each finding sharing a phrase lists it here
    shared: tuple[str, ...] = ()
    # another finding's synonyms that mean this finding when the text names one of the
    # ``context_findings`` elsewhere ("shaking all over" is a fit, but chills beside a fever and a
    # tremor beside heavy drinking); see ``TextIndex._resolve_contexts``
    context_bound: tuple[str, ...] = ()
    context_findings: tuple[str, ...] = ()
    red_flag: str | None = None
    question: str | None = None
    group: str = ""

    @property
    def display_question(self) -> str:
        """The KB's yes/no question, or one made from the lay phrase."""
        return self.question or f"Do you have {self.lay}?"


@dataclass(frozen=True)
class Condition:
    id: str
    name: str
    lay_name: str
    icd10: tuple[str, ...]
    specialty: str
    prevalence: str
    age_min: int
    age_max: int
    sex: str
    urgency: str
    # finding code -> probability that the finding is present in this condition
    findings: Mapping[str, float] = field(hash=False, compare=False)
    red_flags: tuple[str, ...] = ()
    explanation: str = ""
    next_steps: str = ""
    system: str = ""
    # how soon a red flag of this condition must be seen when the condition is likely: urgent,
    # or emergency where the flag is the condition's dangerous turn (giant cell arteritis with
    # visual symptoms threatens sight within hours, though the arteritis itself is urgent)
    red_flag_level: str = "urgent"

    @property
    def primary_icd10(self) -> str:
        return self.icd10[0]

    def applies_to(self, age: int | float | None, sex: str | None) -> bool:
        """Whether a patient of this age and sex can have the condition (None = unknown)."""
        if age is not None and not (self.age_min <= age <= self.age_max):
            return False
        return not (sex in ("female", "male") and self.sex not in ("any", sex))

    def __getstate__(self) -> dict[str, Any]:
        state = dict(self.__dict__)
        state["findings"] = dict(self.findings)
        return state

    def __setstate__(self, state: dict[str, Any]) -> None:
        state = dict(state)
        state["findings"] = MappingProxyType(dict(state["findings"]))
        for key, value in state.items():
            object.__setattr__(self, key, value)


@dataclass(frozen=True)
class KnowledgeBase:
    findings: Mapping[str, Finding] = field(hash=False, compare=False)
    conditions: Mapping[str, Condition] = field(hash=False, compare=False)
    hash: str = ""

    @property
    def finding_codes(self) -> tuple[str, ...]:
        return tuple(self.findings)

    @property
    def condition_ids(self) -> tuple[str, ...]:
        return tuple(self.conditions)

    def finding(self, code: str) -> Finding:
        return self.findings[code]

    def condition(self, condition_id: str) -> Condition:
        return self.conditions[condition_id]

    def __getstate__(self) -> dict[str, Any]:
        return {
            "findings": dict(self.findings),
            "conditions": dict(self.conditions),
            "hash": self.hash,
        }

    def __setstate__(self, state: dict[str, Any]) -> None:
        object.__setattr__(self, "findings", MappingProxyType(dict(state["findings"])))
        object.__setattr__(self, "conditions", MappingProxyType(dict(state["conditions"])))
        object.__setattr__(self, "hash", state["hash"])


def _yaml_files(path: Path, sub: str) -> list[Path]:
    folder = path / sub
    if not folder.is_dir():
        return []
    return sorted(p for p in folder.iterdir() if p.suffix in (".yaml", ".yml") and p.is_file())


def knowledge_hash(path: str | Path | None = None) -> str:
    """sha256 over the KB files' bytes (findings then conditions, each in sorted order).

    Each file contributes its relative path and its bytes, so renaming or moving content between
    files changes the hash too.
    """
    root = Path(path) if path is not None else DEFAULT_PATH
    digest = hashlib.sha256()
    for sub in ("findings", "conditions"):
        for file in _yaml_files(root, sub):
            digest.update(f"{sub}/{file.name}\0".encode())
            digest.update(file.read_bytes())
            digest.update(b"\0")
    return digest.hexdigest()


def _as_str_list(value: Any) -> list[str] | None:
    if value is None:
        return []
    if isinstance(value, str):
        return [value]
    if isinstance(value, list) and all(isinstance(v, str) for v in value):
        return list(value)
    return None


def _str_list_field(raw: dict, key: str, where: str, problems: list[str], *, what: str = "strings") -> list[str]:
    """``raw[key]`` as a list of strings; a problem noted and an empty list when it is not one."""
    values = _as_str_list(raw.get(key))
    if values is None:
        problems.append(f"{where}: {key} must be a list of {what}")
        return []
    return values


def _is_icd10_valid(code: str) -> bool:
    import simple_icd_10_cm as icd  # a large table: import only when validating

    return isinstance(code, str) and code == code.strip().upper() and icd.is_valid_item(code)


def _load_list(file: Path, problems: list[str]) -> list[dict[str, Any]]:
    try:
        data = yaml.safe_load(file.read_text(encoding="utf-8"))
    except (yaml.YAMLError, UnicodeDecodeError) as exc:
        problems.append(f"{file.name}: not valid YAML: {exc}")
        return []
    if data is None:
        return []
    if not isinstance(data, list):
        problems.append(f"{file.name}: must be a YAML list of mappings")
        return []
    items = []
    for index, item in enumerate(data):
        if not isinstance(item, dict):
            problems.append(f"{file.name}[{index}]: must be a mapping")
            continue
        items.append(item)
    return items


def _parse_finding(raw: dict[str, Any], where: str, group: str, problems: list[str]) -> Finding | None:
    code = raw.get("code")
    if not isinstance(code, str) or not _CODE_RE.match(code):
        problems.append(f"{where}: finding code {code!r} must be snake_case")
        return None
    where = f"{where} finding {code!r}"
    label = raw.get("label")
    if not isinstance(label, str) or not label.strip():
        problems.append(f"{where}: label is required")
        label = code
    lay = raw.get("lay")
    if lay is None:
        lay = label.lower()
    elif not isinstance(lay, str) or not lay.strip():
        problems.append(f"{where}: lay must be a non-empty string")
        lay = label.lower()
    kind = raw.get("kind")
    if kind not in FINDING_KINDS:
        problems.append(f"{where}: kind {kind!r} must be one of {', '.join(FINDING_KINDS)}")
    site = raw.get("site")
    if site is not None and not isinstance(site, str):
        problems.append(f"{where}: site must be a string")
        site = None
    synonyms = _str_list_field(raw, "synonyms", where, problems)
    misspellings = _str_list_field(raw, "misspellings", where, problems)
    denials = _str_list_field(raw, "denials", where, problems)
    site_bound = _str_list_field(raw, "site_bound", where, problems)
    if site_bound and site not in lx.SITE_WORDS:
        problems.append(f"{where}: site_bound needs a site among {', '.join(sorted(lx.SITE_WORDS))}")
        site_bound = []
    context_bound = [s.strip() for s in _str_list_field(raw, "context_bound", where, problems) if s.strip()]
    context_findings = _str_list_field(raw, "context_findings", where, problems, what="finding codes")
    if context_bound and not context_findings:
        problems.append(f"{where}: context_bound needs context_findings")
        context_bound = []
    shared = _str_list_field(raw, "shared", where, problems)
    shared = [s.strip() for s in shared if s.strip()]
    for phrase in shared:
        if phrase not in synonyms:
            problems.append(f"{where}: shared phrase {phrase!r} must be one of its synonyms")
    red_flag = raw.get("red_flag")
    if red_flag not in (None, "urgent", "emergency"):
        problems.append(f"{where}: red_flag {red_flag!r} must be null, urgent or emergency")
        red_flag = None
    question = raw.get("question")
    if question is not None and not isinstance(question, str):
        problems.append(f"{where}: question must be a string")
        question = None
    known = {
        "code",
        "label",
        "lay",
        "kind",
        "site",
        "synonyms",
        "misspellings",
        "denials",
        "site_bound",
        "shared",
        "context_bound",
        "context_findings",
        "red_flag",
        "question",
    }
    unknown = sorted(set(raw) - known)
    if unknown:
        problems.append(f"{where}: unknown key(s) {', '.join(map(str, unknown))}")
    return Finding(
        code=code,
        label=label.strip(),
        lay=lay.strip(),
        kind=str(kind),
        site=site,
        synonyms=tuple(s.strip() for s in synonyms if s.strip()),
        misspellings=tuple(s.strip() for s in misspellings if s.strip()),
        denials=tuple(s.strip() for s in denials if s.strip()),
        site_bound=tuple(s.strip() for s in site_bound if s.strip()),
        shared=tuple(shared),
        context_bound=tuple(context_bound),
        context_findings=tuple(context_findings),
        red_flag=red_flag,
        question=question.strip() if question else None,
        group=group,
    )


def _as_int(value: Any) -> int | None:
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        return value
    if isinstance(value, float) and value.is_integer():
        return int(value)
    return None


def _parse_condition(
    raw: dict[str, Any],
    where: str,
    system: str,
    finding_codes: Mapping[str, Finding],
    problems: list[str],
) -> Condition | None:
    cid = raw.get("id")
    if not isinstance(cid, str) or not _CODE_RE.match(cid):
        problems.append(f"{where}: condition id {cid!r} must be snake_case")
        return None
    where = f"{where} condition {cid!r}"
    name = raw.get("name")
    if not isinstance(name, str) or not name.strip():
        problems.append(f"{where}: name is required")
        name = cid
    lay_name = raw.get("lay_name") or name
    if not isinstance(lay_name, str):
        problems.append(f"{where}: lay_name must be a string")
        lay_name = name
    icd10 = _as_str_list(raw.get("icd10"))
    if not icd10:
        problems.append(f"{where}: icd10 must list at least one ICD-10-CM code")
        icd10 = []
    for code in icd10:
        if not _is_icd10_valid(code):
            problems.append(f"{where}: invalid ICD-10-CM code {code!r}")
    specialty = raw.get("specialty")
    if specialty not in SPECIALTIES:
        problems.append(f"{where}: unknown specialty {specialty!r}")
    prevalence = raw.get("prevalence")
    if prevalence not in PREVALENCES:
        problems.append(f"{where}: prevalence {prevalence!r} must be one of {', '.join(PREVALENCES)}")
    age_min = _as_int(raw.get("age_min", 0))
    age_max = _as_int(raw.get("age_max", 120))
    if age_min is None or not 0 <= age_min <= 120:
        problems.append(f"{where}: age_min {raw.get('age_min')!r} must be an integer 0..120")
        age_min = 0
    if age_max is None or not 0 <= age_max <= 120:
        problems.append(f"{where}: age_max {raw.get('age_max')!r} must be an integer 0..120")
        age_max = 120
    if age_min > age_max:
        problems.append(f"{where}: age_min {age_min} is greater than age_max {age_max}")
    sex = raw.get("sex", "any")
    if sex not in SEXES:
        problems.append(f"{where}: sex {sex!r} must be one of {', '.join(SEXES)}")
    urgency = raw.get("urgency")
    if urgency not in URGENCIES:
        problems.append(f"{where}: urgency {urgency!r} must be one of {', '.join(URGENCIES)}")
    raw_findings = raw.get("findings")
    findings: dict[str, float] = {}
    if not isinstance(raw_findings, dict) or not raw_findings:
        problems.append(f"{where}: findings must be a non-empty mapping of code -> probability")
    else:
        for code, prob in raw_findings.items():
            if code not in finding_codes:
                problems.append(f"{where}: unknown finding code {code!r}")
                continue
            if isinstance(prob, bool) or not isinstance(prob, (int, float)):
                problems.append(f"{where}: probability of {code!r} must be a number")
                continue
            if not MIN_PROBABILITY <= float(prob) <= MAX_PROBABILITY:
                problems.append(
                    f"{where}: probability {prob} of {code!r} is outside {MIN_PROBABILITY}..{MAX_PROBABILITY}"
                )
                continue
            findings[code] = float(prob)
    red_flags = _str_list_field(raw, "red_flags", where, problems, what="finding codes")
    for code in red_flags:
        if code not in finding_codes:
            problems.append(f"{where}: unknown red flag finding code {code!r}")
    red_flag_level = raw.get("red_flag_level", "urgent")
    if red_flag_level not in ("urgent", "emergency"):
        problems.append(f"{where}: red_flag_level {red_flag_level!r} must be urgent or emergency")
        red_flag_level = "urgent"
    explanation = raw.get("explanation") or ""
    next_steps = raw.get("next_steps") or ""
    if not isinstance(explanation, str) or not isinstance(next_steps, str):
        problems.append(f"{where}: explanation and next_steps must be text")
        explanation, next_steps = str(explanation), str(next_steps)
    known = {
        "id",
        "name",
        "lay_name",
        "icd10",
        "specialty",
        "prevalence",
        "age_min",
        "age_max",
        "sex",
        "urgency",
        "findings",
        "red_flags",
        "red_flag_level",
        "explanation",
        "next_steps",
    }
    unknown = sorted(set(raw) - known)
    if unknown:
        problems.append(f"{where}: unknown key(s) {', '.join(map(str, unknown))}")
    return Condition(
        id=cid,
        name=name.strip(),
        lay_name=lay_name.strip(),
        icd10=tuple(icd10),
        specialty=str(specialty),
        prevalence=str(prevalence),
        age_min=age_min,
        age_max=age_max,
        sex=str(sex),
        urgency=str(urgency),
        findings=MappingProxyType(findings),
        red_flags=tuple(c for c in red_flags if c in finding_codes),
        explanation=explanation.strip(),
        next_steps=next_steps.strip(),
        system=system,
        red_flag_level=str(red_flag_level),
    )


def _check_contexts(findings: Mapping[str, Finding], where: Mapping[str, str], problems: list[str]) -> None:
    """A context-bound phrase must be another finding's synonym (its reading without the
    context), and its context findings must exist."""
    synonyms = {s.lower() for f in findings.values() for s in f.synonyms}
    for code, finding in findings.items():
        for phrase in finding.context_bound:
            if phrase.lower() not in synonyms or phrase.lower() in {s.lower() for s in finding.synonyms}:
                problems.append(f"{where[code]}: context_bound phrase {phrase!r} must be another finding's synonym")
        for other in finding.context_findings:
            if other not in findings:
                problems.append(f"{where[code]}: unknown context finding code {other!r}")


def load_knowledge_base(path: str | Path | None = None) -> KnowledgeBase:
    """Load and validate the KB at ``path`` (default: ``diagnosis/knowledge``).

    Raises :class:`KnowledgeBaseError` listing every problem found.
    """
    root = Path(path) if path is not None else DEFAULT_PATH
    problems: list[str] = []
    finding_files = _yaml_files(root, "findings")
    condition_files = _yaml_files(root, "conditions")
    if not finding_files:
        problems.append(f"{root}: no findings/*.yaml files")
    if not condition_files:
        problems.append(f"{root}: no conditions/*.yaml files")

    findings: dict[str, Finding] = {}
    finding_where: dict[str, str] = {}
    for file in finding_files:
        for index, raw in enumerate(_load_list(file, problems)):
            where = f"findings/{file.name}[{index}]"
            finding = _parse_finding(raw, where, file.stem, problems)
            if finding is None:
                continue
            if finding.code in findings:
                problems.append(
                    f"{where}: duplicate finding code {finding.code!r} (first defined in {finding_where[finding.code]})"
                )
                continue
            findings[finding.code] = finding
            finding_where[finding.code] = where
    _check_contexts(findings, finding_where, problems)

    conditions: dict[str, Condition] = {}
    condition_where: dict[str, str] = {}
    for file in condition_files:
        for index, raw in enumerate(_load_list(file, problems)):
            where = f"conditions/{file.name}[{index}]"
            condition = _parse_condition(raw, where, file.stem, findings, problems)
            if condition is None:
                continue
            if condition.id in conditions:
                problems.append(
                    f"{where}: duplicate condition id {condition.id!r} "
                    f"(first defined in {condition_where[condition.id]})"
                )
                continue
            conditions[condition.id] = condition
            condition_where[condition.id] = where

    if problems:
        raise KnowledgeBaseError(problems)
    return KnowledgeBase(
        findings=MappingProxyType(findings),
        conditions=MappingProxyType(conditions),
        hash=knowledge_hash(root),
    )


def lint_knowledge_base(kb: KnowledgeBase) -> list[str]:
    """Non-fatal review notes: things that load fine but will likely hurt accuracy."""
    notes: list[str] = []
    phrase_owner: dict[str, str] = {}
    sharers: dict[str, list[str]] = {}
    for finding in kb.findings.values():
        shared = {s.lower() for s in finding.shared}
        for phrase in shared:
            sharers.setdefault(phrase, []).append(finding.code)
        phrases = {finding.lay.lower(), finding.label.lower(), *(s.lower() for s in finding.synonyms)} - shared
        for phrase in sorted(phrases):
            owner = phrase_owner.setdefault(phrase, finding.code)
            if owner != finding.code:
                notes.append(f"phrase {phrase!r} is used by both {owner!r} and {finding.code!r}")
    for phrase, codes in sorted(sharers.items()):
        if phrase in phrase_owner:
            notes.append(f"phrase {phrase!r} is shared by {codes} but used by {phrase_owner[phrase]!r} unshared")
        elif len(codes) < 2:
            notes.append(f"phrase {phrase!r} is shared by {codes[0]!r} alone")
    used = {code for c in kb.conditions.values() for code in c.findings}
    for code in kb.findings:
        if code not in used and kb.findings[code].kind not in ("duration", "onset"):
            notes.append(f"finding {code!r} is used by no condition")
    for condition in kb.conditions.values():
        n = len(condition.findings)
        if n < 4:
            notes.append(f"condition {condition.id!r} has only {n} findings")
    signatures: dict[tuple[tuple[str, float], ...], str] = {}
    for condition in kb.conditions.values():
        signature = tuple(sorted(condition.findings.items()))
        other = signatures.setdefault(signature, condition.id)
        if other != condition.id:
            notes.append(f"conditions {other!r} and {condition.id!r} have identical findings")
    return notes
