"""The knowledge base read as a naive-Bayes model: the generator's own posterior.

log P(c | reported) = log prior(c) + sum over reported-present f of log p(f|c)
                      + sum over denied f of log(1 - p(f|c)) + applicability(c; age, sex)

Findings the patient did not mention are unknown and contribute nothing. A finding a condition
does not list gets a small "leak" probability: how often the generator slips it in as an
unrelated complaint, on the scale of a listed finding's reporting rate (with a floor, because
real patients mention things the KB does not list). This is the ceiling the learnt classifiers
are compared against on synthetic data, and a strong model in its own right.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

import numpy as np

from diagnosis.ml.features import KBVectorizer
from diagnosis.ml.generator import (
    MEAN_REPORT_RATE,
    NOISE_RATE,
    background_distribution,
    class_weights,
)
from diagnosis.ml.knowledge import KnowledgeBase

LEAK_FLOOR = 0.01
LEAK_CAP = 0.08
# Age outside a condition's range: log-penalty = -(AGE_PENALTY_BASE + AGE_PENALTY_PER_YEAR * years
# outside). Strong but not infinite, so a KB range that is a year too tight does not make a
# condition impossible; the wrong sex is impossible.
AGE_PENALTY_BASE = 3.0
AGE_PENALTY_PER_YEAR = 1.5
IMPOSSIBLE = -1e4


class Applicability:
    """Age/sex applicability of every condition, as an additive log-penalty."""

    def __init__(self, kb: KnowledgeBase, condition_ids: Sequence[str]) -> None:
        conditions = [kb.conditions[cid] for cid in condition_ids]
        self.age_min = np.array([c.age_min for c in conditions], dtype=float)
        self.age_max = np.array([c.age_max for c in conditions], dtype=float)
        self.female_only = np.array([c.sex == "female" for c in conditions])
        self.male_only = np.array([c.sex == "male" for c in conditions])

    def log_penalty(self, ages: Sequence[float | None], sexes: Sequence[str | None]) -> np.ndarray:
        n = len(ages)
        penalty = np.zeros((n, len(self.age_min)))
        for i, (age, sex) in enumerate(zip(ages, sexes)):
            if age is not None:
                outside = np.maximum(self.age_min - age, 0) + np.maximum(age - self.age_max, 0)
                penalty[i] -= np.where(
                    outside > 0, AGE_PENALTY_BASE + AGE_PENALTY_PER_YEAR * outside, 0.0
                )
            if sex == "male":
                penalty[i, self.female_only] = IMPOSSIBLE
            elif sex == "female":
                penalty[i, self.male_only] = IMPOSSIBLE
        return penalty


def leak_probabilities(kb: KnowledgeBase, floor: float = LEAK_FLOOR) -> dict[str, float]:
    background = background_distribution(kb)
    scale = NOISE_RATE / MEAN_REPORT_RATE
    return {
        code: float(min(LEAK_CAP, max(floor, scale * background.get(code, 0.0))))
        for code in kb.findings
    }


class BayesModel:
    """Naive Bayes straight from the KB likelihoods (no training)."""

    def __init__(
        self,
        kb: KnowledgeBase,
        *,
        prior: Mapping[str, float] | None = None,
        leak_floor: float = LEAK_FLOOR,
    ) -> None:
        self.condition_ids: tuple[str, ...] = tuple(kb.conditions)
        self.codes: tuple[str, ...] = tuple(sorted(kb.findings))
        self.vectorizer = KBVectorizer([f"f:{code}" for code in self.codes]).fit(None)
        leak = leak_probabilities(kb, leak_floor)
        probs = np.array(
            [[kb.conditions[cid].findings.get(code, leak[code]) for code in self.codes]
             for cid in self.condition_ids],
            dtype=float,
        ).reshape(len(self.condition_ids), len(self.codes))
        self.likelihood = probs  # P(f reported present | c), used by next-question selection
        self.log_present = np.log(probs)
        self.log_absent = np.log1p(-probs)
        weights = prior if prior is not None else class_weights(kb)
        self.log_prior = np.log(np.array([weights[cid] for cid in self.condition_ids]))

    def log_scores(self, feature_rows: Sequence[Mapping[str, float]]) -> np.ndarray:
        """Unnormalised log posterior (without applicability), shape (n, conditions)."""
        X = self.vectorizer.transform(feature_rows)
        positive = X.maximum(0)
        negative = (-X).maximum(0)
        scores = positive @ self.log_present.T + negative @ self.log_absent.T
        return np.asarray(scores) + self.log_prior

    def predict_log_proba(self, feature_rows: Sequence[Mapping[str, float]]) -> np.ndarray:
        return log_normalize(self.log_scores(feature_rows))


def log_normalize(scores: np.ndarray) -> np.ndarray:
    """Row-wise log-softmax."""
    top = scores.max(axis=1, keepdims=True)
    shifted = scores - top
    return shifted - np.log(np.exp(shifted).sum(axis=1, keepdims=True))
