from __future__ import annotations

from django.conf import settings

from accounts.roles import roles_of


def clinic(request) -> dict:
    user = getattr(request, "user", None)
    roles = roles_of(user) if user is not None and user.is_authenticated else frozenset()
    return {
        "CLINIC_NAME": settings.CLINIC_NAME,
        "user_roles": roles,
        "is_patient_user": "Patient" in roles,
    }
