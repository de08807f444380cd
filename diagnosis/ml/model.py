"""The deployed scorer: a trained classifier blended with the KB's naive-Bayes posterior.

    log P(c | x) ∝ ((1 - w) * log P_clf(c | x) + w * log P_bayes(c | x)) / T + applicability(c)

``w`` (the Bayes weight) and ``T`` (a temperature for calibration) are chosen on a validation
split by ``training.train``; ``w = 1`` is the pure Bayes model, ``w = 0`` the pure classifier.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np
from sklearn.linear_model import LogisticRegression

from diagnosis.ml.bayes import Applicability, BayesModel, log_normalize
from diagnosis.ml.features import KBVectorizer
from diagnosis.ml.triage import TriageThresholds

MIN_LOG_PROB = np.log(1e-9)


def classifier_log_proba(
    classifier: Any, feature_rows: Sequence[Mapping[str, float]], condition_ids: Sequence[str]
) -> np.ndarray:
    """Log-probabilities from a fitted sklearn classifier, columns in ``condition_ids`` order
    (a condition the classifier never saw gets a tiny probability)."""
    source, target = _column_map(classifier, condition_ids)
    logs = _linear_log_proba(classifier, feature_rows)
    if logs is None:
        logs = np.log(np.clip(classifier.predict_proba(feature_rows), 1e-12, 1.0))
    out = np.full((logs.shape[0], len(condition_ids)), MIN_LOG_PROB)
    out[:, target] = logs[:, source]
    return log_normalize(out)


def _linear_log_proba(classifier: Any, feature_rows: Sequence[Mapping[str, float]]) -> np.ndarray | None:
    """Fast path for [KBVectorizer, multinomial LogisticRegression]: the same softmax of the
    linear scores as ``predict_proba``, without sklearn's per-call input validation (which
    dominates the time of a single prediction)."""
    steps = getattr(classifier, "steps", None)
    if not steps or len(steps) != 2:
        return None
    vectorizer, final = steps[0][1], steps[1][1]
    if not isinstance(vectorizer, KBVectorizer) or not isinstance(final, LogisticRegression):
        return None
    if len(final.classes_) < 3:
        return None
    scores = vectorizer.transform(feature_rows) @ final.coef_.T + final.intercept_
    return log_normalize(np.asarray(scores))


def _column_map(classifier: Any, condition_ids: Sequence[str]) -> tuple[np.ndarray, np.ndarray]:
    """Which classifier column goes to which condition column (cached on the classifier)."""
    key = tuple(condition_ids)
    cached = getattr(classifier, "_diagnosis_column_map", None)
    if cached is not None and cached[0] == key:
        return cached[1], cached[2]
    column = {cid: i for i, cid in enumerate(condition_ids)}
    pairs = [(j, column[cid]) for j, cid in enumerate(classifier.classes_) if cid in column]
    source = np.array([j for j, _ in pairs], dtype=int)
    target = np.array([i for _, i in pairs], dtype=int)
    classifier._diagnosis_column_map = (key, source, target)
    return source, target


@dataclass
class ScoringModel:
    condition_ids: tuple[str, ...]
    bayes: BayesModel
    applicability: Applicability
    classifier: Any = None
    classifier_name: str = "bayes"
    bayes_weight: float = 1.0
    temperature: float = 1.0
    triage_thresholds: TriageThresholds = field(default_factory=TriageThresholds)

    def log_proba(
        self,
        feature_rows: Sequence[Mapping[str, float]],
        ages: Sequence[float | None],
        sexes: Sequence[str | None],
    ) -> np.ndarray:
        """Normalised log-probabilities, shape (n, conditions)."""
        combined = self.bayes_weight * self.bayes.predict_log_proba(feature_rows)
        if self.classifier is not None and self.bayes_weight < 1.0:
            combined = combined + (1.0 - self.bayes_weight) * classifier_log_proba(
                self.classifier, feature_rows, self.condition_ids
            )
        combined = combined / self.temperature
        return log_normalize(combined + self.applicability.log_penalty(ages, sexes, feature_rows))

    def proba(
        self,
        feature_rows: Sequence[Mapping[str, float]],
        ages: Sequence[float | None],
        sexes: Sequence[str | None],
    ) -> np.ndarray:
        return np.exp(self.log_proba(feature_rows, ages, sexes))
