"""Evaluate a predictor on patient-typed vignettes.

A vignette is one JSON object per line::

    {"id": "neuro-001", "text": "...", "age": 34, "sex": "female",
     "expected_icd10": ["G43"], "urgency": "routine"}

A predicted condition counts as correct when any of its ICD-10 codes starts with one of the
accepted codes (dots ignored). Triage is exact when it equals the vignette's urgency, and safe
when it is exact, more urgent, or at most one level less urgent.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

from diagnosis.ml.predictor import Predictor
from diagnosis.ml.triage import RANK, is_safe

TOP_KS = (1, 3, 5, 10)
DEFAULT_VIGNETTES = Path(__file__).resolve().parent.parent / "vignettes"


class VignetteError(ValueError):
    pass


@dataclass(frozen=True)
class VignetteResult:
    id: str
    text: str
    age: float | None
    sex: str | None
    expected_icd10: tuple[str, ...]
    expected_urgency: str | None
    rank: int | None  # 1-based rank of the first correct condition (None: not in the top 10)
    predicted: tuple[tuple[str, str, float], ...]  # (condition id, primary ICD-10, probability)
    triage: str
    triage_exact: bool | None
    triage_safe: bool | None
    findings: tuple[tuple[str, bool], ...]


@dataclass
class EvaluationReport:
    n: int
    top: dict[int, float]
    triage_exact: float | None
    triage_safe: float | None
    results: list[VignetteResult] = field(default_factory=list)

    @property
    def failures(self) -> list[VignetteResult]:
        """Vignettes whose accepted diagnosis is not in the top 3, or whose triage is unsafe."""
        return [r for r in self.results if r.rank is None or r.rank > 3 or r.triage_safe is False]

    def summary(self) -> dict[str, Any]:
        return {
            "n": self.n,
            **{f"top{k}": round(v, 4) for k, v in self.top.items()},
            "triage_exact": None if self.triage_exact is None else round(self.triage_exact, 4),
            "triage_safe": None if self.triage_safe is None else round(self.triage_safe, 4),
        }

    def to_dict(self) -> dict[str, Any]:
        return {**self.summary(), "failures": [asdict(r) for r in self.failures]}


def _normal_code(code: str) -> str:
    return code.replace(".", "").strip().upper()


def code_matches(predicted_codes: Iterable[str], accepted: Iterable[str]) -> bool:
    accepted_norm = [_normal_code(a) for a in accepted if a]
    return any(_normal_code(code).startswith(prefix) for code in predicted_codes for prefix in accepted_norm)


def load_vignettes(paths: Iterable[str | Path] | None = None) -> list[dict[str, Any]]:
    """Vignettes from .jsonl files (or folders of them); default: ``diagnosis/vignettes``."""
    files: list[Path] = []
    for entry in paths if paths is not None else [DEFAULT_VIGNETTES]:
        entry = Path(entry)
        files.extend(sorted(entry.glob("*.jsonl")) if entry.is_dir() else [entry])
    vignettes: list[dict[str, Any]] = []
    for file in files:
        for number, line in enumerate(file.read_text(encoding="utf-8").splitlines(), 1):
            if not line.strip():
                continue
            try:
                item = json.loads(line)
            except json.JSONDecodeError as exc:
                raise VignetteError(f"{file.name}:{number}: not JSON: {exc}") from exc
            if not isinstance(item, dict) or not isinstance(item.get("text"), str):
                raise VignetteError(f"{file.name}:{number}: needs at least a text")
            item.setdefault("id", f"{file.stem}:{number}")
            vignettes.append(item)
    return vignettes


def evaluate(predictor: Predictor, vignettes: Sequence[Mapping[str, Any]]) -> EvaluationReport:
    results: list[VignetteResult] = []
    for v in vignettes:
        age = v.get("age")
        sex = v.get("sex")
        expected = tuple(v.get("expected_icd10") or ())
        urgency = v.get("urgency")
        prediction = predictor.predict(v["text"], age=age, sex=sex, top=max(TOP_KS))
        rank = None
        for position, condition in enumerate(prediction.conditions, 1):
            if code_matches(condition.icd10_codes, expected):
                rank = position
                break
        level = prediction.triage.level
        known_urgency = urgency in RANK
        results.append(
            VignetteResult(
                id=str(v.get("id")),
                text=v["text"],
                age=age,
                sex=sex,
                expected_icd10=expected,
                expected_urgency=urgency,
                rank=rank,
                predicted=tuple((c.id, c.icd10, round(c.probability, 4)) for c in prediction.conditions[:5]),
                triage=level,
                triage_exact=(level == urgency) if known_urgency else None,
                triage_safe=is_safe(level, urgency) if known_urgency else None,
                findings=tuple((f.code, f.present) for f in prediction.findings),
            )
        )
    n = len(results)
    top = {k: (sum(1 for r in results if r.rank is not None and r.rank <= k) / n if n else 0.0) for k in TOP_KS}
    triaged = [r for r in results if r.triage_exact is not None]
    return EvaluationReport(
        n=n,
        top=top,
        triage_exact=(sum(bool(r.triage_exact) for r in triaged) / len(triaged) if triaged else None),
        triage_safe=(sum(bool(r.triage_safe) for r in triaged) / len(triaged) if triaged else None),
        results=results,
    )
