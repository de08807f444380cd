"""The checker at run time: the active model, loaded lazily once per process.

``get_checker()`` answers ``(version, predictor)`` or raises :class:`CheckerUnavailable` with a
one-line reason (no active version, file missing, sha256 mismatch, scikit-learn mismatch,
unreadable file). A model is cached by ``ModelVersion`` id; a failed load is remembered for
that file's size and mtime, so a broken file is not re-hashed on every request, and a fixed
(replaced) file is tried again.
"""

from __future__ import annotations

import logging
import os
import threading
from pathlib import Path

from django.conf import settings

from diagnosis.models import ModelVersion

logger = logging.getLogger(__name__)

_lock = threading.Lock()
_loaded: dict[tuple[int, str, str], object] = {}  # (version id, file, sha256) -> Predictor
_failed: dict[tuple[int, str, str], tuple[tuple[int, int] | None, str]] = {}  # -> (file stat, reason)


class CheckerUnavailable(Exception):
    """The symptom checker cannot answer now; ``str(exc)`` is a one-line reason."""


def model_path(version: ModelVersion) -> Path:
    return Path(settings.MODEL_DIR) / version.file_name


def _stat(path: Path) -> tuple[int, int] | None:
    try:
        st = os.stat(path)
    except OSError:
        return None
    return (st.st_size, st.st_mtime_ns)


def _key(version: ModelVersion) -> tuple[int, str, str]:
    return (version.pk, version.file_name, version.sha256)


def active_version() -> ModelVersion | None:
    return ModelVersion.objects.filter(is_active=True).order_by("-activated_at", "-pk").first()


def load_predictor(version: ModelVersion):
    """The version's predictor (cached); ``CheckerUnavailable`` if it cannot be loaded."""
    from diagnosis.ml.predictor import ModelIntegrityError, ModelVersionMismatch, Predictor

    key = _key(version)
    cached = _loaded.get(key)
    if cached is not None:
        return cached
    path = model_path(version)
    with _lock:
        cached = _loaded.get(key)
        if cached is not None:
            return cached
        stat = _stat(path)
        failed = _failed.get(key)
        if failed is not None and failed[0] == stat:
            raise CheckerUnavailable(failed[1])
        if stat is None:
            reason = f"model file {version.file_name} of model version {version.pk} is missing"
        else:
            try:
                predictor = Predictor.load(path, expected_sha256=version.sha256)
            except ModelIntegrityError:
                reason = (f"model file {version.file_name} of model version {version.pk} does not "
                          "match its recorded sha256: refusing to load it")
            except ModelVersionMismatch as exc:
                reason = " ".join(str(exc).split())
            except Exception as exc:  # a corrupt file: joblib/pickle errors vary
                reason = f"model file {version.file_name} cannot be read ({type(exc).__name__})"
            else:
                _loaded[key] = predictor
                _failed.pop(key, None)
                return predictor
        _failed[key] = (stat, reason)
        logger.error("symptom checker unavailable: %s", reason)
        raise CheckerUnavailable(reason)


def get_checker():
    """``(active ModelVersion, Predictor)``, or ``CheckerUnavailable``."""
    version = active_version()
    if version is None:
        raise CheckerUnavailable("no active model version: run `manage.py train_diagnosis_model --activate`")
    return version, load_predictor(version)


def checker_status() -> str:
    """``"ok"`` or ``"degraded"``, for /healthz. Cheap: it loads nothing new. A model already
    loaded is ok; otherwise the active file must exist with its recorded size and not have
    failed to load before (the sha256 and unpickling are checked on first use)."""
    try:
        version = active_version()
    except Exception:  # the database check reports database trouble
        return "degraded"
    if version is None:
        return "degraded"
    if _key(version) in _loaded:
        return "ok"
    stat = _stat(model_path(version))
    if stat is None or stat[0] != version.size:
        return "degraded"
    failed = _failed.get(_key(version))
    if failed is not None and failed[0] == stat:
        return "degraded"
    return "ok"


def forget_loaded() -> None:
    """Drop cached models and failures (tests; a worker after a model file was replaced)."""
    with _lock:
        _loaded.clear()
        _failed.clear()
