"""Model versions: train (and record) a model, evaluate it, activate it, roll back."""

from __future__ import annotations

import json
import math
from collections.abc import Callable, Iterable
from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.models import User
from diagnosis.models import ModelVersion
from diagnosis.services.runtime import CheckerUnavailable, load_predictor

Progress = Callable[[str], None]


def plain_json(value: Any) -> Any:
    """Metrics as data any database's JSON column takes (numpy scalars to numbers, NaN to
    None, tuples to lists)."""
    if isinstance(value, dict):
        return {str(k): plain_json(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [plain_json(v) for v in value]
    if hasattr(value, "item") and not isinstance(value, (str, bytes)):
        value = value.item()
    if isinstance(value, float) and not math.isfinite(value):
        return None
    return value


def _training_summary(metrics: dict[str, Any], n_cases: int, clinic_cases: int) -> dict[str, Any]:
    keys = ("n_train", "n_extra", "n_extra_skipped", "n_val", "n_test", "n_conditions", "n_findings")
    summary = {k: metrics.get(k) for k in keys}
    summary.update({
        "requested_cases": n_cases,
        "clinic_cases_offered": clinic_cases,
        "classifiers_compared": sorted((metrics.get("classifiers") or {}).keys()),
        "chosen_classifier": metrics.get("chosen_classifier"),
        "model": metrics.get("model"),
        "bayes_weight": metrics.get("bayes_weight"),
        "temperature": metrics.get("temperature"),
    })
    return plain_json(summary)


def evaluate_vignettes(predictor, paths: Iterable[str | Path] | None = None):
    """An ``EvaluationReport`` of ``predictor`` on vignette files or folders (default: ours)."""
    from diagnosis.ml.evaluate import evaluate, load_vignettes

    return evaluate(predictor, load_vignettes(list(paths) if paths is not None else None))


def model_version_train(
    *,
    seed: int = 0,
    n_cases: int | None = None,
    include_clinic_data: bool = False,
    created_by: User | None = None,
    kb_path: str | Path | None = None,
    progress: Progress | None = None,
) -> ModelVersion:
    """Train a model from the knowledge base (plus confirmed clinic cases), save it under
    ``MODEL_DIR``, score it on our vignettes, and record it as an inactive ``ModelVersion``."""
    import sklearn

    from diagnosis.ml.knowledge import load_knowledge_base
    from diagnosis.ml.predictor import Predictor
    from diagnosis.ml.training import DEFAULT_N_CASES, train
    from diagnosis.selectors import confirmed_training_cases

    say = progress or (lambda message: None)
    n_cases = n_cases or DEFAULT_N_CASES
    say("loading the knowledge base")
    kb = load_knowledge_base(kb_path)
    extra: list[dict[str, Any]] = []
    if include_clinic_data:
        from diagnosis.services.checks import symptom_checks_sync_confirmed

        symptom_checks_sync_confirmed()
        extra = confirmed_training_cases(kb=kb)
        say(f"{len(extra)} confirmed clinic case(s) added")
    result = train(kb, seed=seed, n_cases=n_cases, extra_cases=extra, progress=say)
    predictor = Predictor.from_train_result(result)
    stamp = timezone.now().strftime("%Y%m%dT%H%M%S%f")
    file_name = f"diagnosis-{stamp}-seed{seed}.joblib"
    path = Path(settings.MODEL_DIR) / file_name
    sha = predictor.save(path)
    say(f"saved {path} ({path.stat().st_size / 1e6:.1f} MB, sha256 {sha[:12]}...)")
    say("scoring on the vignette set")
    try:
        vignette_metrics = evaluate_vignettes(predictor).summary()
    except (OSError, ValueError) as exc:  # no vignettes shipped: record why, keep the model
        vignette_metrics = {"error": str(exc)}
    version = ModelVersion(
        file_name=file_name,
        sha256=sha,
        size=path.stat().st_size,
        sklearn_version=sklearn.__version__,
        kb_hash=kb.hash,
        seed=seed,
        training_summary=_training_summary(result.metrics, n_cases, len(extra)),
        metrics=plain_json(result.metrics),
        vignette_metrics=plain_json(vignette_metrics),
        training_seconds=round(result.seconds, 1),
        created_by=created_by,
    )
    version.full_clean()
    version.save()
    return version


def _score(version: ModelVersion) -> tuple[float, float]:
    return (version.vignette_top3 or 0.0, version.heldout_top3 or 0.0)


@transaction.atomic
def _activate(*, version: ModelVersion, by: User | None, force: bool) -> ModelVersion:
    # Lock every version row: two activations at once serialise here, so one stays active.
    versions = list(ModelVersion.objects.select_for_update().order_by("pk"))
    current = next((v for v in versions if v.is_active and v.pk != version.pk), None)
    target = next(v for v in versions if v.pk == version.pk)
    if current is not None and not force and _score(target) < _score(current):
        raise ValidationError(
            _("Model version %(new)s scores worse than the active version %(old)s (vignette top-3 "
              "%(new_v)s vs %(old_v)s, held-out top-3 %(new_h)s vs %(old_h)s); use force to "
              "activate it anyway.")
            % {"new": target.pk, "old": current.pk,
               "new_v": _pct(target.vignette_top3), "old_v": _pct(current.vignette_top3),
               "new_h": _pct(target.heldout_top3), "old_h": _pct(current.heldout_top3)}
        )
    now = timezone.now()
    for other in versions:
        if other.is_active and other.pk != target.pk:
            other.is_active = False
            other.save(update_fields=["is_active"])
    target.is_active = True
    target.activated_at = now
    target.activated_by = by
    target.full_clean()
    target.save(update_fields=["is_active", "activated_at", "activated_by"])
    return target


def _pct(value: float | None) -> str:
    return "n/a" if value is None else f"{100 * value:.1f}%"


def model_version_activate(*, version: ModelVersion, by: User | None, force: bool = False) -> ModelVersion:
    """Make ``version`` the one active model. Refuses a file that does not load, and a model
    worse than the active one (vignette top-3, then held-out top-3) unless ``force``."""
    try:
        load_predictor(version)  # outside the transaction: reads and hashes the file
    except CheckerUnavailable as exc:
        raise ValidationError(_("Model version %(pk)s cannot be activated: %(reason)s")
                              % {"pk": version.pk, "reason": exc}) from None
    return _activate(version=version, by=by, force=force)


def model_version_rollback(*, by: User | None) -> ModelVersion:
    """Re-activate the version that was active before the current one."""
    current = ModelVersion.objects.filter(is_active=True).first()
    previous = (
        ModelVersion.objects.filter(activated_at__isnull=False, is_active=False)
        .exclude(pk=getattr(current, "pk", None))
        .filter(**({"activated_at__lt": current.activated_at} if current and current.activated_at else {}))
        .order_by("-activated_at", "-pk")
        .first()
    )
    if previous is None:
        raise ValidationError(_("There is no earlier active model version to roll back to."))
    return model_version_activate(version=previous, by=by, force=True)


def describe_metrics(version: ModelVersion) -> str:
    """One line for command output."""
    return json.dumps({"vignettes": version.vignette_metrics,
                       "held_out": (version.metrics.get("final") or {}).get("test")})
