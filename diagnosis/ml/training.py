"""Train the symptom checker's model from the knowledge base (plus confirmed clinic cases).

``train`` generates synthetic patients (train / validation / test splits from independent
seeds), fits several scikit-learn classifiers, each in a ``Pipeline``, picks the best on the
validation split by top-3 accuracy, considers blending it with the KB's naive-Bayes posterior
(weight chosen on validation), fits a temperature for calibration and the triage thresholds on
validation, and reports everything on the held-out test split.
"""

from __future__ import annotations

import math
import random
import time
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
import sklearn
from sklearn.calibration import CalibratedClassifierCV
from sklearn.linear_model import LogisticRegression
from sklearn.naive_bayes import ComplementNB, MultinomialNB
from sklearn.pipeline import Pipeline
from sklearn.preprocessing import FunctionTransformer
from sklearn.svm import LinearSVC

from diagnosis.ml.bayes import Applicability, BayesModel, log_normalize
from diagnosis.ml.features import KBVectorizer, case_features, feature_names, split_signs
from diagnosis.ml.generator import Case, class_weights, generate_cases, with_text
from diagnosis.ml.knowledge import KnowledgeBase
from diagnosis.ml.model import ScoringModel, classifier_log_proba
from diagnosis.ml.text import get_index
from diagnosis.ml.triage import RANK, floor, levels_from_mass, tune_thresholds, urgency_mass

DEFAULT_N_CASES = 60000
EXTRA_CASE_WEIGHT = 5.0  # a confirmed clinic case counts as this many synthetic ones
BLEND_WEIGHTS = tuple(round(0.1 * i, 1) for i in range(11))
TEMPERATURES = tuple(round(math.exp(x / 10), 3) for x in range(-12, 13))
ECE_BINS = 15

Progress = Callable[[str], None]


def _logistic_regression(vocabulary: Sequence[str]) -> Pipeline:
    return Pipeline(
        [
            ("features", KBVectorizer(vocabulary)),
            ("model", LogisticRegression(C=2.0, max_iter=200, tol=1e-3)),
        ]
    )


def _naive_bayes(vocabulary: Sequence[str]) -> Pipeline:
    return Pipeline(
        [
            ("features", KBVectorizer(vocabulary)),
            ("signs", FunctionTransformer(split_signs, accept_sparse=True)),
            ("model", MultinomialNB(alpha=0.05)),
        ]
    )


def _complement_nb(vocabulary: Sequence[str]) -> Pipeline:
    return Pipeline(
        [
            ("features", KBVectorizer(vocabulary)),
            ("signs", FunctionTransformer(split_signs, accept_sparse=True)),
            ("model", ComplementNB(alpha=0.1)),
        ]
    )


def _linear_svm(vocabulary: Sequence[str]) -> Pipeline:
    return Pipeline(
        [
            ("features", KBVectorizer(vocabulary)),
            # temperature scaling calibrates all classes at once (sigmoid would be one-vs-rest:
            # hundreds of calibrators, and minutes of training)
            ("model", CalibratedClassifierCV(LinearSVC(C=0.1, tol=1e-3), method="temperature", cv=2, ensemble=False)),
        ]
    )


CLASSIFIERS: dict[str, Callable[[Sequence[str]], Pipeline]] = {
    "logistic_regression": _logistic_regression,
    "multinomial_nb": _naive_bayes,
    "complement_nb": _complement_nb,
    "linear_svm_calibrated": _linear_svm,
}
DEFAULT_CLASSIFIERS = ("logistic_regression", "multinomial_nb", "linear_svm_calibrated")
# The one-vs-rest SVM costs about three times the logistic regression per case (two folds plus
# a refit, one binary problem per condition): it sees at most this many training cases, to keep
# training within its time budget (120 s on 2 cores).
MAX_CASES = {"linear_svm_calibrated": 30000}


@dataclass
class TrainResult:
    model: ScoringModel
    kb: KnowledgeBase
    metrics: dict[str, Any]
    seconds: float


# --- metrics ---------------------------------------------------------------------------------


def topk_accuracy(log_proba: np.ndarray, y: np.ndarray, k: int) -> float:
    """Share of rows whose true class is among the k highest scores (ties count against)."""
    true_scores = log_proba[np.arange(len(y)), y]
    rank = (log_proba > true_scores[:, None]).sum(axis=1)
    return float(np.mean(rank < k))


def brier_score(proba: np.ndarray, y: np.ndarray) -> float:
    """Multi-class Brier score: mean over cases of sum_c (p_c - [c = y])^2 (0 is perfect)."""
    onehot = np.zeros_like(proba)
    onehot[np.arange(len(y)), y] = 1.0
    return float(np.mean(np.sum((proba - onehot) ** 2, axis=1)))


def expected_calibration_error(proba: np.ndarray, y: np.ndarray, bins: int = ECE_BINS) -> float:
    """ECE of the top-1 confidence in equal-width bins."""
    confidence = proba.max(axis=1)
    correct = proba.argmax(axis=1) == y
    edges = np.linspace(0.0, 1.0, bins + 1)
    ece = 0.0
    for low, high in zip(edges[:-1], edges[1:], strict=True):
        in_bin = (confidence > low) & (confidence <= high)
        if in_bin.any():
            ece += in_bin.mean() * abs(correct[in_bin].mean() - confidence[in_bin].mean())
    return float(ece)


def ranking_metrics(log_proba: np.ndarray, y: np.ndarray) -> dict[str, float]:
    proba = np.exp(log_proba)
    return {
        "top1": topk_accuracy(log_proba, y, 1),
        "top3": topk_accuracy(log_proba, y, 3),
        "top5": topk_accuracy(log_proba, y, 5),
        "nll": float(-np.mean(log_proba[np.arange(len(y)), y])),
        "brier": brier_score(proba, y),
        "ece": expected_calibration_error(proba, y),
    }


# --- data ------------------------------------------------------------------------------------


def case_from_mapping(raw: Case | Mapping[str, Any]) -> Case:
    """A confirmed clinic case: ``Case`` or a mapping with condition_id, age, sex, findings
    (code -> present, or (code, present) pairs, or a list of present codes)."""
    if isinstance(raw, Case):
        return raw
    findings = raw.get("findings", ())
    if isinstance(findings, Mapping):
        pairs = tuple((str(c), bool(p)) for c, p in findings.items())
    else:
        pairs = tuple((item, True) if isinstance(item, str) else (str(item[0]), bool(item[1])) for item in findings)
    return Case(
        condition_id=str(raw["condition_id"]),
        age=int(raw.get("age") or 0),
        sex=str(raw.get("sex") or ""),
        findings=pairs,
    )


def _usable_extra(kb: KnowledgeBase, extra_cases: Iterable[Case | Mapping[str, Any]]) -> tuple[list[Case], int]:
    usable: list[Case] = []
    skipped = 0
    for raw in extra_cases:
        try:
            case = case_from_mapping(raw)
        except (KeyError, TypeError, ValueError, IndexError):
            skipped += 1
            continue
        findings = tuple((c, p) for c, p in case.findings if c in kb.findings)
        if case.condition_id not in kb.conditions or not findings:
            skipped += 1
            continue
        usable.append(Case(case.condition_id, case.age, case.sex, findings))
    return usable, skipped


def degrade(cases: Sequence[Case], kb: KnowledgeBase, *, seed: int) -> list[Case]:
    """Cases as a text parser may see them: each finding lost with probability 0.4 (at least
    one kept), and sometimes an unrelated finding misread in."""
    rng = random.Random(seed)
    codes = sorted(code for code, f in kb.findings.items() if f.kind in ("symptom", "sign"))
    out = []
    for case in cases:
        kept = [item for item in case.findings if rng.random() >= 0.4] or [rng.choice(case.findings)]
        if codes and rng.random() < 0.2:
            kept.append((rng.choice(codes), True))
        out.append(Case(case.condition_id, case.age, case.sex, tuple(kept)))
    return out


def _rows(cases: Sequence[Case]) -> list[dict[str, float]]:
    return [case_features(c.findings, c.age, c.sex) for c in cases]


def _targets(cases: Sequence[Case], ids: Sequence[str]) -> np.ndarray:
    index = {cid: i for i, cid in enumerate(ids)}
    return np.array([index[c.condition_id] for c in cases], dtype=int)


def _floors(kb: KnowledgeBase, cases: Sequence[Case], proba: np.ndarray, ids: Sequence[str]) -> np.ndarray:
    out = np.zeros(len(cases), dtype=int)
    for i, case in enumerate(cases):
        top = np.argsort(-proba[i])[:10]
        probabilities = {ids[j]: float(proba[i, j]) for j in top}
        out[i] = floor(kb, present=case.present, probabilities=probabilities, age=case.age, absent=case.absent)[0]
    return out


# --- training --------------------------------------------------------------------------------


def train(
    kb: KnowledgeBase,
    *,
    seed: int = 0,
    n_cases: int = DEFAULT_N_CASES,
    extra_cases: Iterable[Case | Mapping[str, Any]] = (),
    classifiers: Sequence[str] = DEFAULT_CLASSIFIERS,
    progress: Progress | None = None,
) -> TrainResult:
    """Train and evaluate; the result's ``model`` is ready for ``Predictor``."""
    say = progress or (lambda message: None)
    started, started_cpu = time.perf_counter(), time.process_time()
    ids = tuple(kb.conditions)
    vocabulary = feature_names(kb)
    n_eval = max(1000, n_cases // 5)
    say(
        f"generating {n_cases} training + 2 x {n_eval} evaluation cases "
        f"({len(ids)} conditions, {len(kb.findings)} findings)"
    )
    train_cases = generate_cases(kb, n_cases, seed=seed)
    val_cases = generate_cases(kb, n_eval, seed=seed + 1_000_003)
    test_cases = generate_cases(kb, n_eval, seed=seed + 2_000_003)
    extra, skipped = _usable_extra(kb, extra_cases)
    train_all = train_cases + extra
    weights = np.array([1.0] * len(train_cases) + [EXTRA_CASE_WEIGHT] * len(extra))
    X_train, y_train = _rows(train_all), np.array([c.condition_id for c in train_all])
    X_val, y_val = _rows(val_cases), _targets(val_cases, ids)
    X_test, y_test = _rows(test_cases), _targets(test_cases, ids)
    ages_val, sexes_val = [c.age for c in val_cases], [c.sex for c in val_cases]
    ages_test, sexes_test = [c.age for c in test_cases], [c.sex for c in test_cases]
    applicability = Applicability(kb, ids)
    pen_val = applicability.log_penalty(ages_val, sexes_val, X_val)
    pen_test = applicability.log_penalty(ages_test, sexes_test, X_test)

    bayes = BayesModel(kb, prior=class_weights(kb))
    bayes_val = bayes.predict_log_proba(X_val)
    bayes_test = bayes.predict_log_proba(X_test)
    metrics: dict[str, Any] = {
        "seed": seed,
        "n_train": len(train_cases),
        "n_extra": len(extra),
        "n_extra_skipped": skipped,
        "n_val": len(val_cases),
        "n_test": len(test_cases),
        "n_conditions": len(ids),
        "n_findings": len(kb.findings),
        "kb_hash": kb.hash,
        "sklearn_version": sklearn.__version__,
        "bayes": {
            "val": ranking_metrics(log_normalize(bayes_val + pen_val), y_val),
            "test": ranking_metrics(log_normalize(bayes_test + pen_test), y_test),
        },
        "classifiers": {},
    }
    say(
        f"bayes (ceiling): test top-1 {metrics['bayes']['test']['top1']:.3f} "
        f"top-3 {metrics['bayes']['test']['top3']:.3f}"
    )

    fitted: dict[str, tuple[Pipeline, np.ndarray, np.ndarray]] = {}
    for name in classifiers:
        t0, c0 = time.perf_counter(), time.process_time()
        pipeline = CLASSIFIERS[name](vocabulary)
        limit = MAX_CASES.get(name)
        if limit is not None and len(train_cases) > limit:
            keep = list(range(limit)) + list(range(len(train_cases), len(train_all)))
            pipeline.fit([X_train[i] for i in keep], y_train[keep], model__sample_weight=weights[keep])
        else:
            pipeline.fit(X_train, y_train, model__sample_weight=weights)
        fit_seconds = time.perf_counter() - t0
        fit_cpu = time.process_time() - c0
        val_lp = classifier_log_proba(pipeline, X_val, ids)
        test_lp = classifier_log_proba(pipeline, X_test, ids)
        fitted[name] = (pipeline, val_lp, test_lp)
        metrics["classifiers"][name] = {
            "fit_seconds": round(fit_seconds, 2),
            "fit_cpu_seconds": round(fit_cpu, 2),
            "n_train": min(len(train_cases), limit or len(train_cases)) + len(extra),
            "val": ranking_metrics(log_normalize(val_lp + pen_val), y_val),
            "test": ranking_metrics(log_normalize(test_lp + pen_test), y_test),
        }
        say(
            f"{name}: {fit_seconds:.1f}s, test top-1 "
            f"{metrics['classifiers'][name]['test']['top1']:.3f} top-3 "
            f"{metrics['classifiers'][name]['test']['top3']:.3f}"
        )

    def score(m: Mapping[str, float]) -> tuple[float, float, float]:
        return (round(m["top3"], 4), round(m["top1"], 4), -m["nll"])

    best_name = max(fitted, key=lambda n: score(metrics["classifiers"][n]["val"])) if fitted else None
    # blend the best classifier with the Bayes posterior: weight chosen on validation
    best_weight, best_blend = 1.0, score(metrics["bayes"]["val"])
    if best_name is not None:
        val_lp = fitted[best_name][1]
        for w in BLEND_WEIGHTS:
            blended = log_normalize(w * bayes_val + (1 - w) * val_lp + pen_val)
            s = score(ranking_metrics(blended, y_val))
            if s > best_blend:
                best_weight, best_blend = w, s
    clf_val = fitted[best_name][1] if best_name else 0.0
    clf_test = fitted[best_name][2] if best_name else 0.0
    raw_val = best_weight * bayes_val + (1 - best_weight) * clf_val
    raw_test = best_weight * bayes_test + (1 - best_weight) * clf_test
    temperature = min(
        TEMPERATURES,
        key=lambda t: ranking_metrics(log_normalize(raw_val / t + pen_val), y_val)["nll"],
    )
    final_val = log_normalize(raw_val / temperature + pen_val)
    final_test = log_normalize(raw_test / temperature + pen_test)
    model = ScoringModel(
        condition_ids=ids,
        bayes=bayes,
        applicability=applicability,
        classifier=fitted[best_name][0] if best_name and best_weight < 1.0 else None,
        classifier_name=best_name if best_name and best_weight < 1.0 else "bayes",
        bayes_weight=best_weight,
        temperature=temperature,
    )
    say(f"chosen: {model.classifier_name} with bayes weight {best_weight}, temperature {temperature}")

    # Triage thresholds: tuned on the validation cases plus the same cases *degraded* the way
    # real text degrades them (findings lost or misread, so the model is less sure than on clean
    # synthetic cases); checked on the clean and the degraded test split.
    urgency = np.array([RANK[kb.conditions[cid].urgency] for cid in ids])
    val_hard = degrade(val_cases, kb, seed=seed + 3)
    proba_hard = model.proba(_rows(val_hard), [c.age for c in val_hard], [c.sex for c in val_hard])
    proba_val = np.exp(final_val)
    thresholds, triage_val = tune_thresholds(
        urgency_mass(np.vstack([proba_val, proba_hard]), urgency),
        np.concatenate([_floors(kb, val_cases, proba_val, ids), _floors(kb, val_hard, proba_hard, ids)]),
        np.concatenate([urgency[y_val], urgency[y_val]]),
    )
    model.triage_thresholds = thresholds
    triage_test: dict[str, dict[str, float]] = {}
    test_hard = degrade(test_cases, kb, seed=seed + 4)
    for name, cases, proba in (
        ("clean", test_cases, np.exp(final_test)),
        ("degraded", test_hard, model.proba(_rows(test_hard), [c.age for c in test_hard], [c.sex for c in test_hard])),
    ):
        levels = np.maximum(
            levels_from_mass(urgency_mass(proba, urgency), thresholds.as_array()),
            _floors(kb, cases, proba, ids),
        )
        expected = urgency[y_test]
        triage_test[name] = {
            "exact": float(np.mean(levels == expected)),
            "safe": float(np.mean(levels >= expected - 1)),
        }
    metrics.update(
        {
            "chosen_classifier": best_name,
            "model": model.classifier_name,
            "bayes_weight": best_weight,
            "temperature": temperature,
            "final": {
                "val": ranking_metrics(final_val, y_val),
                "test": ranking_metrics(final_test, y_test),
            },
            "triage": {
                "thresholds": {
                    "emergency": thresholds.emergency,
                    "urgent": thresholds.urgent,
                    "routine": thresholds.routine,
                },
                "val": triage_val,
                "test": triage_test["clean"],
                "test_degraded": triage_test["degraded"],
            },
        }
    )
    metrics["text_round_trip"] = _text_round_trip(kb, model, test_cases[:2000], ids, seed)
    seconds = time.perf_counter() - started
    metrics["seconds"] = round(seconds, 1)
    metrics["cpu_seconds"] = round(time.process_time() - started_cpu, 1)
    say(
        f"final: test top-1 {metrics['final']['test']['top1']:.3f} top-3 "
        f"{metrics['final']['test']['top3']:.3f}; triage safe "
        f"{metrics['triage']['test']['safe']:.3f}; {seconds:.0f}s"
    )
    return TrainResult(model=model, kb=kb, metrics=metrics, seconds=seconds)


def _text_round_trip(
    kb: KnowledgeBase, model: ScoringModel, cases: Sequence[Case], ids: Sequence[str], seed: int
) -> dict[str, float]:
    """Render test cases as plain sentences from the KB's synonyms, parse them back, score:
    how much the text parser loses against the structured findings."""
    if not cases:
        return {}
    index = get_index(kb)
    rendered = with_text(cases, kb, seed=seed)
    rows, exact = [], 0
    for case in rendered:
        extracted = {(e.code, e.present) for e in index.extract(case.text)}
        exact += extracted == set(case.findings)
        rows.append(case_features(sorted(extracted), case.age, case.sex))
    log_proba = model.log_proba(rows, [c.age for c in cases], [c.sex for c in cases])
    y = _targets(cases, ids)
    return {
        "findings_exact": exact / len(cases),
        "top1": topk_accuracy(log_proba, y, 1),
        "top3": topk_accuracy(log_proba, y, 3),
    }
