"""Fixtures for the Django side of the symptom checker.

One small model is trained per test session (the engine's fixture knowledge base, a few
thousand synthetic cases: seconds), saved once, and copied into each test's MODEL_DIR.
Import the fixtures into a test module: ``from diagnosis.tests.support import active_model``.
"""

from __future__ import annotations

import shutil
from dataclasses import dataclass
from pathlib import Path

import pytest

FIXTURE_KB = Path(__file__).resolve().parent / "fixtures" / "kb"
SMALL_CASES = 3000


@dataclass(frozen=True)
class TrainedFile:
    path: Path
    sha256: str
    size: int
    kb_hash: str
    metrics: dict


@pytest.fixture(scope="session")
def trained_model(tmp_path_factory) -> TrainedFile:
    from diagnosis.ml.knowledge import load_knowledge_base
    from diagnosis.ml.predictor import Predictor
    from diagnosis.ml.training import train
    from diagnosis.services.versions import plain_json

    kb = load_knowledge_base(FIXTURE_KB)
    result = train(kb, seed=1, n_cases=SMALL_CASES)
    path = tmp_path_factory.mktemp("model") / "fixture-model.joblib"
    sha = Predictor.from_train_result(result).save(path)
    return TrainedFile(path, sha, path.stat().st_size, kb.hash, plain_json(result.metrics))


def install_model(
    trained: TrainedFile,
    *,
    name: str = "fixture-model.joblib",
    active: bool = True,
    vignette_top3: float = 0.5,
    heldout_top3: float | None = None,
):
    """Copy the session's model file into MODEL_DIR and record a ModelVersion for it."""
    from django.conf import settings
    from django.utils import timezone

    from diagnosis.models import ModelVersion

    target = Path(settings.MODEL_DIR) / name
    target.parent.mkdir(parents=True, exist_ok=True)
    shutil.copyfile(trained.path, target)
    metrics = dict(trained.metrics)
    if heldout_top3 is not None:
        metrics["final"] = {"test": {**(metrics.get("final") or {}).get("test", {}), "top3": heldout_top3}}
    return ModelVersion.objects.create(
        file_name=name,
        sha256=trained.sha256,
        size=trained.size,
        sklearn_version=metrics.get("sklearn_version", ""),
        kb_hash=trained.kb_hash,
        seed=1,
        metrics=metrics,
        vignette_metrics={"n": 10, "top1": vignette_top3 / 2, "top3": vignette_top3},
        is_active=active,
        activated_at=timezone.now() if active else None,
    )


@pytest.fixture
def fresh_checker_cache():
    from diagnosis.services.runtime import forget_loaded

    forget_loaded()
    yield
    forget_loaded()


@pytest.fixture
def active_model(db, trained_model):
    # The loaded-model cache is keyed by (version id, file, sha256): every test's version has
    # the same file, so reusing a model loaded by an earlier test is correct and saves seconds.
    # Tests that break the file use ``fresh_checker_cache``.
    return install_model(trained_model)


@pytest.fixture(scope="session")
def kb():
    """The real knowledge base (modules testing against the small fixture KB override this)."""
    from diagnosis.ml.knowledge import load_knowledge_base

    return load_knowledge_base()


def found(text: str, kb) -> set[tuple[str, bool]]:
    """The findings ``text`` yields, as (code, present) pairs."""
    from diagnosis.ml.text import extract_findings

    return {(e.code, e.present) for e in extract_findings(text, kb)}
