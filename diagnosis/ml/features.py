"""Findings + age + sex -> features, with a stable vocabulary derived from the KB.

A finding the patient reported is +1, one they denied is -1, one they did not mention is 0 (it is
unknown, not absent). Age is one-hot in bands, sex one-hot.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence

import numpy as np
import scipy.sparse as sp
from sklearn.base import BaseEstimator, TransformerMixin

from diagnosis.ml.knowledge import KnowledgeBase

AGE_BANDS: tuple[tuple[str, int, int], ...] = (
    ("infant", 0, 0),
    ("toddler", 1, 4),
    ("child", 5, 12),
    ("teen", 13, 17),
    ("young_adult", 18, 34),
    ("adult", 35, 49),
    ("middle_age", 50, 64),
    ("older", 65, 79),
    ("elderly", 80, 200),
)
SEXES = ("female", "male")

FindingsInput = Mapping[str, bool] | Iterable[tuple[str, bool]]


def age_band(age: float | None) -> str | None:
    if age is None:
        return None
    for name, low, high in AGE_BANDS:
        if low <= age <= high:
            return name
    return None


def findings_dict(findings: FindingsInput) -> dict[str, bool]:
    """Normalise findings to code -> present; a present mention wins over a denial."""
    items = findings.items() if isinstance(findings, Mapping) else findings
    out: dict[str, bool] = {}
    for code, present in items:
        out[code] = bool(present) or out.get(code, False)
    return out


def case_features(findings: FindingsInput, age: float | None, sex: str | None) -> dict[str, float]:
    """Feature dict for one patient: ``{"f:fever": 1.0, "f:cough": -1.0, "age:adult": 1.0, ...}``."""
    features = {f"f:{code}": 1.0 if present else -1.0 for code, present in findings_dict(findings).items()}
    band = age_band(age)
    if band:
        features[f"age:{band}"] = 1.0
    if sex in SEXES:
        features[f"sex:{sex}"] = 1.0
    return features


def feature_names(kb: KnowledgeBase) -> tuple[str, ...]:
    """The KB's stable feature vocabulary: findings (sorted), age bands, sexes."""
    return (
        tuple(f"f:{code}" for code in sorted(kb.findings))
        + tuple(f"age:{name}" for name, _, _ in AGE_BANDS)
        + tuple(f"sex:{sex}" for sex in SEXES)
    )


class KBVectorizer(TransformerMixin, BaseEstimator):
    """Feature dicts -> sparse matrix over a fixed vocabulary (unknown features are ignored).

    Unlike ``DictVectorizer`` the columns do not depend on the training data, so a finding no
    synthetic case happened to mention still has its column.
    """

    def __init__(self, vocabulary: Sequence[str] = ()) -> None:
        self.vocabulary = vocabulary

    def fit(self, X: Iterable[Mapping[str, float]], y: object = None) -> KBVectorizer:
        self.index_ = {name: i for i, name in enumerate(self.vocabulary)}
        self.n_features_out_ = len(self.vocabulary)
        return self

    def transform(self, X: Iterable[Mapping[str, float]]) -> sp.csr_matrix:
        index = self.index_
        indptr = [0]
        indices: list[int] = []
        data: list[float] = []
        for row in X:
            for name, value in row.items():
                column = index.get(name)
                if column is not None:
                    indices.append(column)
                    data.append(value)
            indptr.append(len(indices))
        return sp.csr_matrix(
            (
                np.asarray(data, dtype=np.float64),
                np.asarray(indices, dtype=np.int32),
                np.asarray(indptr, dtype=np.int64),
            ),
            shape=(len(indptr) - 1, len(self.vocabulary)),
        )

    def get_feature_names_out(self, input_features: object = None) -> np.ndarray:
        return np.asarray(self.vocabulary, dtype=object)


def split_signs(X: sp.spmatrix) -> sp.csr_matrix:
    """[X+ | X-]: a non-negative matrix for count-based models (naive Bayes), where a denial
    is its own feature rather than a negative count."""
    X = sp.csr_matrix(X)
    positive = X.maximum(0)
    negative = (-X).maximum(0)
    return sp.hstack([positive, negative], format="csr")
