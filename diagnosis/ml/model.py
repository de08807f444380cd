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

from diagnosis.ml.bayes import Applicability, BayesModel, log_normalize
from diagnosis.ml.triage import TriageThresholds

MIN_LOG_PROB = np.log(1e-9)


def classifier_log_proba(
    classifier: Any, feature_rows: Sequence[Mapping[str, float]], condition_ids: Sequence[str]
) -> np.ndarray:
    """Log-probabilities from a fitted sklearn classifier, columns in ``condition_ids`` order
    (a condition the classifier never saw gets a tiny probability)."""
    proba = classifier.predict_proba(feature_rows)
    out = np.full((proba.shape[0], len(condition_ids)), MIN_LOG_PROB)
    column = {cid: i for i, cid in enumerate(condition_ids)}
    with np.errstate(divide="ignore"):
        logs = np.log(np.clip(proba, 1e-12, 1.0))
    for j, cid in enumerate(classifier.classes_):
        if cid in column:
            out[:, column[cid]] = logs[:, j]
    return log_normalize(out)


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
        return log_normalize(combined + self.applicability.log_penalty(ages, sexes))

    def proba(
        self,
        feature_rows: Sequence[Mapping[str, float]],
        ages: Sequence[float | None],
        sexes: Sequence[str | None],
    ) -> np.ndarray:
        return np.exp(self.log_proba(feature_rows, ages, sexes))
