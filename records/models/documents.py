"""Uploaded documents: kept outside the web root, served only through an authorised view."""

from __future__ import annotations

import secrets

from django.conf import settings
from django.core.files.storage import FileSystemStorage
from django.db import models
from django.utils.functional import cached_property
from django.utils.translation import gettext_lazy as _

from records.models.clinical import Encounter, EnteredInError
from records.models.patient import Patient


class PrivateMediaStorage(FileSystemStorage):
    """``settings.PRIVATE_MEDIA_ROOT``, read when first used (never at import) and no URL."""

    @cached_property
    def base_location(self):
        return settings.PRIVATE_MEDIA_ROOT

    @cached_property
    def base_url(self):
        return None

    def url(self, name):  # never served by URL: only through records' download views
        raise ValueError("Private documents have no URL.")


def private_storage() -> PrivateMediaStorage:
    return PrivateMediaStorage()


def random_document_path(instance: Document, filename: str) -> str:
    """A random name: the uploaded file name never reaches the file system."""
    return f"documents/{secrets.token_hex(2)}/{secrets.token_urlsafe(24)}.{instance.extension}"


class Document(EnteredInError):
    class Kind(models.TextChoices):
        LAB_REPORT = "lab-report", _("Lab report")
        IMAGING = "imaging", _("Imaging")
        LETTER = "letter", _("Letter")
        OTHER = "other", _("Other")

    class ContentType(models.TextChoices):
        PDF = "application/pdf", "PDF"
        PNG = "image/png", "PNG"
        JPEG = "image/jpeg", "JPEG"

    EXTENSIONS = {ContentType.PDF: "pdf", ContentType.PNG: "png", ContentType.JPEG: "jpg"}

    patient = models.ForeignKey(Patient, on_delete=models.PROTECT, related_name="documents")
    encounter = models.ForeignKey(Encounter, on_delete=models.PROTECT, null=True, blank=True, related_name="documents")
    title = models.CharField(_("title"), max_length=200)
    kind = models.CharField(_("kind"), max_length=20, choices=Kind.choices, default=Kind.OTHER)
    file = models.FileField(storage=private_storage, upload_to=random_document_path, max_length=200, editable=False)
    content_type = models.CharField(max_length=30, choices=ContentType.choices, editable=False)
    size = models.PositiveIntegerField(editable=False)
    uploaded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    uploaded_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-uploaded_at"]

    def __str__(self) -> str:
        return self.title

    @property
    def extension(self) -> str:
        return self.EXTENSIONS.get(self.content_type, "bin")

    @property
    def download_name(self) -> str:
        return f"{self.patient.mrn}-document-{self.pk}.{self.extension}"
