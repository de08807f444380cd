"""Permissions each role holds on the appointments app's models (synced after migrate)."""

from __future__ import annotations

from accounts.roles import CLINIC_ADMIN, DOCTOR, NURSE, RECEPTIONIST

_ACTIONS = ("add", "change", "delete", "view")
_MODELS = ("provider", "location", "appointmenttype", "availabilityrule", "timeoff", "appointment", "waitlistentry")

ROLE_PERMISSIONS: dict[str, list[str]] = {
    CLINIC_ADMIN: [f"appointments.{action}_{model}" for model in _MODELS for action in _ACTIONS],
    RECEPTIONIST: [
        "appointments.add_appointment",
        "appointments.change_appointment",
        "appointments.view_appointment",
        "appointments.add_waitlistentry",
        "appointments.change_waitlistentry",
        "appointments.view_waitlistentry",
        "appointments.view_provider",
        "appointments.view_location",
        "appointments.view_appointmenttype",
        "appointments.view_availabilityrule",
        "appointments.view_timeoff",
    ],
    DOCTOR: [
        "appointments.view_appointment",
        "appointments.change_appointment",
        "appointments.view_provider",
        "appointments.view_waitlistentry",
    ],
    NURSE: [
        "appointments.view_appointment",
        "appointments.change_appointment",
        "appointments.view_provider",
        "appointments.view_waitlistentry",
    ],
}
