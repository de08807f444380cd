from __future__ import annotations

from django.apps import AppConfig
from django.contrib.admin.apps import AdminConfig


class ClinicAdminConfig(AdminConfig):
    """Installs ``ClinicAdminSite`` as the admin site: the staff workplace."""

    default_site = "clinic.admin.ClinicAdminSite"


class ClinicConfig(AppConfig):
    name = "clinic"
    label = "clinic"
    verbose_name = "Clinic"
