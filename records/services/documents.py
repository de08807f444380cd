from __future__ import annotations

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from accounts.models import User
from records.files import sniff_content_type
from records.models import Document, Encounter, Patient


def document_check(uploaded_file) -> str:
    """The real content type of an acceptable upload; ``ValidationError`` for anything else
    (too large, or not a PDF/PNG/JPEG by its bytes: an HTML page named ``.pdf``, an SVG ...)."""
    if uploaded_file.size > settings.DOCUMENT_MAX_BYTES:
        raise ValidationError(
            _("The file is too large (at most %(mb).1f MB).") % {"mb": settings.DOCUMENT_MAX_BYTES / 1024 / 1024},
            code="too_large",
        )
    content_type = sniff_content_type(uploaded_file)
    if content_type is None:
        raise ValidationError(_("Only PDF, PNG and JPEG files can be uploaded."), code="bad_type")
    return content_type


@transaction.atomic
def document_upload(
    *,
    patient: Patient,
    uploaded_by: User,
    uploaded_file,
    title: str,
    kind: str = Document.Kind.OTHER,
    encounter: Encounter | None = None,
) -> Document:
    content_type = document_check(uploaded_file)
    if encounter is not None and encounter.patient_id != patient.pk:
        raise ValidationError({"encounter": _("That visit belongs to another patient.")})
    document = Document(
        patient=patient,
        encounter=encounter,
        title=title,
        kind=kind,
        content_type=content_type,
        size=uploaded_file.size,
        uploaded_by=uploaded_by,
    )
    document.full_clean(exclude=["file"])
    # The name is random (upload_to); the file is written first, so a failed save leaves an
    # orphan file at worst, never a row without its file.
    document.file.save("upload", uploaded_file, save=False)
    document.save()
    return document
