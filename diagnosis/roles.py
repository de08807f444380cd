"""What each role may do with the symptom checker's models (which patients: records.access)."""

from __future__ import annotations

from accounts import roles

ROLE_PERMISSIONS: dict[str, list[str]] = {
    roles.CLINIC_ADMIN: [
        "diagnosis.view_modelversion",
        "diagnosis.change_modelversion",
        "diagnosis.view_symptomcheck",
        "diagnosis.change_symptomcheck",
    ],
    roles.DOCTOR: ["diagnosis.view_symptomcheck", "diagnosis.change_symptomcheck", "diagnosis.view_modelversion"],
    roles.NURSE: ["diagnosis.view_symptomcheck", "diagnosis.view_modelversion"],
}
