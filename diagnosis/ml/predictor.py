"""The trained symptom checker: text + age + sex -> ranked conditions, triage, findings.

A model file is a joblib artefact holding only plain Python data at its outer level (format,
sklearn version, KB hash, metrics) plus the pickled model as bytes. ``load`` checks the file's
sha256 against the expected one *before* unpickling anything (a pickle can run code), then the
sklearn version, and only then unpickles the model.
"""

from __future__ import annotations

import hashlib
import io
import math
import os
import tempfile
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

import joblib
import numpy as np
import sklearn

from diagnosis.ml.features import case_features, findings_dict
from diagnosis.ml.knowledge import KnowledgeBase
from diagnosis.ml.model import ScoringModel
from diagnosis.ml.text import Extracted, get_index
from diagnosis.ml.triage import Triage, assess

ARTEFACT_FORMAT = "clinic-diagnosis-model/1"
NEXT_QUESTION_CANDIDATES = 10  # conditions considered when choosing the next question


class ModelIntegrityError(Exception):
    """The model file is missing, or its sha256 is not the expected one."""


class ModelVersionMismatch(Exception):
    """The model was saved by another scikit-learn version (or artefact format)."""


def file_sha256(path: str | Path) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


@dataclass(frozen=True)
class RankedCondition:
    id: str
    name: str
    lay_name: str
    icd10: str  # primary code
    icd10_codes: tuple[str, ...]
    probability: float
    specialty: str
    urgency: str


@dataclass(frozen=True)
class UnderstoodFinding:
    code: str
    label: str
    present: bool
    text: str = ""
    span: tuple[int, int] | None = None


@dataclass(frozen=True)
class Question:
    code: str
    question: str
    label: str
    information_gain: float


@dataclass(frozen=True)
class Prediction:
    conditions: tuple[RankedCondition, ...]
    triage: Triage
    findings: tuple[UnderstoodFinding, ...]
    model_kb_hash: str = ""
    extra: dict[str, Any] = field(default_factory=dict)

    @property
    def understood_anything(self) -> bool:
        return bool(self.findings)

    def to_dict(self) -> dict[str, Any]:
        """Plain JSON-ready data (for storing a SymptomCheck)."""
        return {
            "conditions": [asdict(c) for c in self.conditions],
            "triage": {"level": self.triage.level, "reasons": list(self.triage.reasons)},
            "findings": [asdict(f) for f in self.findings],
            "model_kb_hash": self.model_kb_hash,
        }


ExtraFinding = str | tuple[str, bool] | Extracted | Mapping[str, Any]


def _extra_pairs(extra_findings: Iterable[ExtraFinding]) -> list[tuple[str, bool]]:
    pairs: list[tuple[str, bool]] = []
    for item in extra_findings:
        if isinstance(item, str):
            pairs.append((item, True))
        elif isinstance(item, Extracted):
            pairs.append((item.code, item.present))
        elif isinstance(item, Mapping):
            pairs.append((str(item["code"]), bool(item.get("present", True))))
        else:
            code, present = item
            pairs.append((str(code), bool(present)))
    return pairs


def _entropy(p: np.ndarray) -> float:
    p = p[p > 0]
    return float(-(p * np.log(p)).sum())


class Predictor:
    """Wraps a trained :class:`ScoringModel` and its knowledge base."""

    def __init__(self, model: ScoringModel, kb: KnowledgeBase, metrics: Mapping[str, Any] | None = None) -> None:
        self.model = model
        self.kb = kb
        self.metrics: dict[str, Any] = dict(metrics or {})
        self._index = get_index(kb)
        self._column = {cid: i for i, cid in enumerate(model.condition_ids)}
        self._finding_column = {code: i for i, code in enumerate(model.bayes.codes)}

    @classmethod
    def from_train_result(cls, result: Any) -> Predictor:
        return cls(result.model, result.kb, result.metrics)

    @property
    def kb_hash(self) -> str:
        return self.kb.hash

    # -- understanding -------------------------------------------------------------------

    def understand(self, text: str, extra_findings: Iterable[ExtraFinding] = ()) -> list[UnderstoodFinding]:
        """Findings from the text plus explicitly given ones (those override the text)."""
        found: dict[str, UnderstoodFinding] = {}
        for e in self._index.extract(text or ""):
            found[e.code] = UnderstoodFinding(e.code, self.kb.findings[e.code].label, e.present, e.text, e.span)
        for code, present in _extra_pairs(extra_findings):
            if code in self.kb.findings:
                found[code] = UnderstoodFinding(code, self.kb.findings[code].label, present)
        return list(found.values())

    def _posterior(self, findings: Sequence[UnderstoodFinding], age: float | None, sex: str | None) -> np.ndarray:
        row = case_features([(f.code, f.present) for f in findings], age, sex)
        return self.model.proba([row], [age], [sex])[0]

    # -- prediction ----------------------------------------------------------------------

    def predict(
        self,
        text: str,
        *,
        age: float | None,
        sex: str | None,
        extra_findings: Iterable[ExtraFinding] = (),
        top: int = 10,
    ) -> Prediction:
        """Rank conditions for what the patient typed (plus answers to follow-up questions)."""
        findings = self.understand(text, extra_findings)
        return self._predict(findings, age, sex, top)

    def predict_findings(
        self,
        findings: Mapping[str, bool] | Iterable[tuple[str, bool]],
        *,
        age: float | None,
        sex: str | None,
        top: int = 10,
    ) -> Prediction:
        """Rank conditions for structured findings (no text)."""
        understood = [
            UnderstoodFinding(code, self.kb.findings[code].label, present)
            for code, present in findings_dict(findings).items()
            if code in self.kb.findings
        ]
        return self._predict(understood, age, sex, top)

    def _predict(
        self, findings: Sequence[UnderstoodFinding], age: float | None, sex: str | None, top: int
    ) -> Prediction:
        proba = self._posterior(findings, age, sex)
        order = np.argsort(-proba, kind="stable")
        ranked = []
        for j in order[: max(0, top)]:
            condition = self.kb.conditions[self.model.condition_ids[j]]
            ranked.append(
                RankedCondition(
                    id=condition.id,
                    name=condition.name,
                    lay_name=condition.lay_name,
                    icd10=condition.primary_icd10,
                    icd10_codes=condition.icd10,
                    probability=float(proba[j]),
                    specialty=condition.specialty,
                    urgency=condition.urgency,
                )
            )
        likely = {self.model.condition_ids[j]: float(proba[j]) for j in order[:50]}
        triage = assess(
            self.kb,
            present=[f.code for f in findings if f.present],
            probabilities=likely,
            age=age,
            thresholds=self.model.triage_thresholds,
            absent=[f.code for f in findings if not f.present],
        )
        return Prediction(
            conditions=tuple(ranked),
            triage=triage,
            findings=tuple(findings),
            model_kb_hash=self.kb.hash,
        )

    def next_questions(
        self,
        text: str = "",
        *,
        age: float | None,
        sex: str | None,
        extra_findings: Iterable[ExtraFinding] = (),
        asked: Iterable[str] = (),
        n: int = 2,
    ) -> list[Question]:
        """The ``n`` findings not yet mentioned or asked whose yes/no answer is expected to
        change the ranking of the top candidates most (expected information gain)."""
        findings = self.understand(text, extra_findings)
        known = {f.code for f in findings} | set(asked)
        proba = self._posterior(findings, age, sex)
        top = np.argsort(-proba, kind="stable")[:NEXT_QUESTION_CANDIDATES]
        prior = proba[top] / proba[top].sum()
        likelihood = self.model.bayes.likelihood[top]  # (k, findings)
        base = _entropy(prior)
        candidates = sorted(
            {
                code
                for j in top
                for code in self.kb.conditions[self.model.condition_ids[j]].findings
                if code not in known and self.kb.findings[code].kind != "duration"
            }
        )
        scored: list[Question] = []
        for code in candidates:
            p = likelihood[:, self._finding_column[code]]
            yes = float(prior @ p)
            if yes <= 0 or yes >= 1:
                continue
            post_yes = prior * p / yes
            post_no = prior * (1 - p) / (1 - yes)
            gain = base - yes * _entropy(post_yes) - (1 - yes) * _entropy(post_no)
            finding = self.kb.findings[code]
            scored.append(Question(code, finding.display_question, finding.label, gain))
        scored.sort(key=lambda q: (-round(q.information_gain, 12), q.code))
        return [q for q in scored[:n] if q.information_gain > 1e-9]

    # -- persistence ---------------------------------------------------------------------

    def save(self, path: str | Path) -> str:
        """Write the model file atomically; returns its sha256 (record it to load it later)."""
        buffer = io.BytesIO()
        joblib.dump({"model": self.model, "kb": self.kb}, buffer, compress=3)
        artefact = {
            "format": ARTEFACT_FORMAT,
            "sklearn_version": sklearn.__version__,
            "kb_hash": self.kb.hash,
            "metrics": _plain(self.metrics),
            "payload": buffer.getvalue(),
        }
        path = Path(path)
        path.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=path.name, suffix=".tmp")
        os.close(fd)
        try:
            joblib.dump(artefact, tmp)
            os.replace(tmp, path)
        finally:
            if os.path.exists(tmp):
                os.unlink(tmp)
        return file_sha256(path)

    @classmethod
    def load(cls, path: str | Path, *, expected_sha256: str) -> Predictor:
        """Load a model file after verifying its sha256 and scikit-learn version."""
        path = Path(path)
        if not path.is_file():
            raise ModelIntegrityError(f"model file {path} does not exist")
        actual = file_sha256(path)
        if not expected_sha256 or actual != expected_sha256.strip().lower():
            raise ModelIntegrityError(
                f"model file {path} has sha256 {actual}, expected {expected_sha256}; refusing to load it"
            )
        artefact = joblib.load(path)
        if not isinstance(artefact, dict) or artefact.get("format") != ARTEFACT_FORMAT:
            raise ModelVersionMismatch(f"model file {path} is not a {ARTEFACT_FORMAT} artefact; retrain the model")
        saved = artefact.get("sklearn_version")
        if saved != sklearn.__version__:
            raise ModelVersionMismatch(
                f"model file {path} was trained with scikit-learn {saved}, but "
                f"{sklearn.__version__} is installed; retrain the model with this version"
            )
        inner = joblib.load(io.BytesIO(artefact["payload"]))
        return cls(inner["model"], inner["kb"], artefact.get("metrics") or {})


def _plain(value: Any) -> Any:
    """Metrics as plain JSON-like data (numpy scalars to floats, tuples to lists)."""
    if isinstance(value, Mapping):
        return {str(k): _plain(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [_plain(v) for v in value]
    if isinstance(value, np.generic):
        return value.item()
    if isinstance(value, float) and not math.isfinite(value):
        return None
    return value
