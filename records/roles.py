"""What each role may do with the record's models (synced to the groups after migrate).

Model permissions open the admin pages; *which* patients a user sees is decided by
``records.access`` (care relationships, break-the-glass), never by these permissions alone.
"""

from __future__ import annotations

from accounts import roles

_CLINICAL = ("encounter", "condition", "allergy", "medication", "observation", "clinicalnote", "document")


def _perms(actions: tuple[str, ...], models: tuple[str, ...]) -> list[str]:
    return [f"records.{action}_{model}" for model in models for action in actions]


ROLE_PERMISSIONS: dict[str, list[str]] = {
    roles.CLINIC_ADMIN: [
        *_perms(("view", "add", "change"), ("patient", *_CLINICAL)),
        *_perms(("view",), ("carerelationship", "emergencyaccess")),
        "auditlog.view_logentry",
    ],
    roles.DOCTOR: [
        "records.view_patient",
        *_perms(("view", "add", "change"), _CLINICAL),
    ],
    roles.NURSE: [
        "records.view_patient",
        *_perms(("view",), _CLINICAL),
        *_perms(("add", "change"), ("observation", "clinicalnote")),
    ],
    roles.RECEPTIONIST: _perms(("view", "add", "change"), ("patient",)),
}
