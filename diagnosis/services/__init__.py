"""Writes of the symptom checker (and its run-time model loading).

Every function here is the only way its data changes; views, the admin and the management
commands all call them.
"""

from __future__ import annotations

from diagnosis.services.checks import (
    symptom_check_answer,
    symptom_check_confirm,
    symptom_check_link_encounter,
    symptom_check_run,
    symptom_checks_sync_confirmed,
)
from diagnosis.services.runtime import CheckerUnavailable, checker_status, get_checker, load_predictor
from diagnosis.services.versions import (
    evaluate_vignettes,
    model_version_activate,
    model_version_rollback,
    model_version_train,
)

__all__ = [
    "CheckerUnavailable",
    "checker_status",
    "evaluate_vignettes",
    "get_checker",
    "load_predictor",
    "model_version_activate",
    "model_version_rollback",
    "model_version_train",
    "symptom_check_answer",
    "symptom_check_confirm",
    "symptom_check_link_encounter",
    "symptom_check_run",
    "symptom_checks_sync_confirmed",
]
