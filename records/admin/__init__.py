"""Staff workplace for the record (registered on ClinicAdminSite, the default admin site)."""

from records.admin import audit, clinical, documents, patients, users  # noqa: F401
