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
    DURATION_SHIFT_RATE,
    GENERALISE_RATE,
    MEAN_REPORT_RATE,
    NOISE_RATE,
    SPECIALISE_RATE,
    background_distribution,
    class_weights,
)
from diagnosis.ml.knowledge import Condition, KnowledgeBase
from diagnosis.ml.related import duration_neighbours, generalisations, specialisations

LEAK_FLOOR = 0.01
LEAK_CAP = 0.08
# Age outside a condition's range: log-penalty = -(AGE_PENALTY_BASE + AGE_PENALTY_PER_YEAR * years
# outside). Strong but not infinite, so a KB range that is a year too tight does not make a
# condition impossible; the wrong sex is impossible.
AGE_PENALTY_BASE = 3.0
AGE_PENALTY_PER_YEAR = 1.5
IMPOSSIBLE = -1e4
# A condition of a known pregnancy (the knowledge base gives "pregnant" at least this likelihood:
# pre-eclampsia, a urinary infection in pregnancy, morning sickness) is one a patient names the
# pregnancy for. When the text tells of no pregnancy, a missed period or a baby's movements, such
# a condition is this much less likely (as strong as an age just outside its range); an ectopic
# pregnancy, which may come before the patient knows, is not one of them.
KNOWN_PREGNANCY_P = 0.95
PREGNANCY_CONTEXT = ("f:pregnant", "f:missed_period", "f:reduced_fetal_movements")
UNTOLD_PREGNANCY_PENALTY = 3.0


class Applicability:
    """Age/sex applicability of every condition, as an additive log-penalty."""

    def __init__(self, kb: KnowledgeBase, condition_ids: Sequence[str]) -> None:
        conditions = [kb.conditions[cid] for cid in condition_ids]
        self.age_min = np.array([c.age_min for c in conditions], dtype=float)
        self.age_max = np.array([c.age_max for c in conditions], dtype=float)
        self.female_only = np.array([c.sex == "female" for c in conditions])
        self.male_only = np.array([c.sex == "male" for c in conditions])
        self.known_pregnancy = np.array([c.findings.get("pregnant", 0.0) >= KNOWN_PREGNANCY_P for c in conditions])

    def log_penalty(
        self,
        ages: Sequence[float | None],
        sexes: Sequence[str | None],
        rows: Sequence[Mapping[str, float]] | None = None,
    ) -> np.ndarray:
        """(n, conditions) log-penalties for age and sex and, given the feature ``rows``, for a
        known pregnancy's conditions when the text tells of no pregnancy."""
        n = len(ages)
        penalty = np.zeros((n, len(self.age_min)))
        # a model saved before the pregnancy penalty existed has no such column
        known_pregnancy = getattr(self, "known_pregnancy", None)
        if rows is not None and known_pregnancy is not None and known_pregnancy.any():
            for i, row in enumerate(rows):
                if not any(row.get(code, 0.0) > 0 for code in PREGNANCY_CONTEXT):
                    penalty[i, known_pregnancy] -= UNTOLD_PREGNANCY_PENALTY
        for i, (age, sex) in enumerate(zip(ages, sexes, strict=True)):
            if age is not None:
                outside = np.maximum(self.age_min - age, 0) + np.maximum(age - self.age_max, 0)
                penalty[i] -= np.where(outside > 0, AGE_PENALTY_BASE + AGE_PENALTY_PER_YEAR * outside, 0.0)
            if sex == "male":
                penalty[i, self.female_only] = IMPOSSIBLE
            elif sex == "female":
                penalty[i, self.male_only] = IMPOSSIBLE
        return penalty


def leak_probabilities(kb: KnowledgeBase, floor: float = LEAK_FLOOR) -> dict[str, float]:
    background = background_distribution(kb)
    scale = NOISE_RATE / MEAN_REPORT_RATE
    return {code: float(min(LEAK_CAP, max(floor, scale * background.get(code, 0.0)))) for code in kb.findings}


def effective_likelihoods(kb: KnowledgeBase, condition: Condition) -> dict[str, float]:
    """P(a patient with the condition reports f), allowing for the imprecision the generator
    simulates: a listed finding said more generally or more specifically, a duration in the
    neighbouring bucket. Findings absent from the result get the leak probability."""
    listed = dict(condition.findings)
    out = dict(listed)
    general = generalisations(kb)
    specific = specialisations(kb)
    for code, p in listed.items():
        for g in general.get(code, ()):
            out[g] = max(out.get(g, 0.0), GENERALISE_RATE * p)
        for s in specific.get(code, ()):
            if s not in listed:
                out[s] = max(out.get(s, 0.0), SPECIALISE_RATE * p / len(specific[code]))
    neighbours = duration_neighbours(kb)
    for code in neighbours:
        own = listed.get(code, 0.0)
        shifted_in = sum(listed.get(n, 0.0) / len(neighbours[n]) for n in neighbours[code])
        mixed = (1 - DURATION_SHIFT_RATE) * own + DURATION_SHIFT_RATE * shifted_in
        if mixed > 0:
            out[code] = mixed
    return out


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
            [
                [p.get(code, leak[code]) for code in self.codes]
                for p in (effective_likelihoods(kb, kb.conditions[cid]) for cid in self.condition_ids)
            ],
            dtype=float,
        ).reshape(len(self.condition_ids), len(self.codes))
        probs = np.maximum(probs, np.array([leak[code] for code in self.codes])[None, :])
        self.likelihood = probs  # P(f reported present | c), used by next-question selection
        self.log_present = np.log(probs)
        self.log_absent = np.log1p(-probs)
        weights = prior if prior is not None else class_weights(kb)
        self.log_prior = np.log(np.array([weights[cid] for cid in self.condition_ids]))

    def log_scores(self, feature_rows: Sequence[Mapping[str, float]]) -> np.ndarray:
        """Unnormalised log posterior (without applicability), shape (n, conditions)."""
        X = self.vectorizer.transform(feature_rows)
        positive, negative = X.copy(), X.copy()
        positive.data = np.maximum(X.data, 0.0)
        negative.data = np.maximum(-X.data, 0.0)
        present_t, absent_t = self._transposed()
        scores = positive @ present_t + negative @ absent_t
        return np.asarray(scores) + self.log_prior

    def _transposed(self) -> tuple[np.ndarray, np.ndarray]:
        """(findings, conditions) C-contiguous tables, so sparse products need no copies."""
        cached = self.__dict__.get("_tables")
        if cached is None:
            cached = (np.ascontiguousarray(self.log_present.T), np.ascontiguousarray(self.log_absent.T))
            self.__dict__["_tables"] = cached
        return cached

    def __getstate__(self) -> dict[str, object]:
        state = dict(self.__dict__)
        state.pop("_tables", None)
        return state

    def predict_log_proba(self, feature_rows: Sequence[Mapping[str, float]]) -> np.ndarray:
        return log_normalize(self.log_scores(feature_rows))


def log_normalize(scores: np.ndarray) -> np.ndarray:
    """Row-wise log-softmax."""
    top = scores.max(axis=1, keepdims=True)
    shifted = scores - top
    return shifted - np.log(np.exp(shifted).sum(axis=1, keepdims=True))
