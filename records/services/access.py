from __future__ import annotations

from datetime import timedelta

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.models import User
from records.audit import audit_read
from records.models import EmergencyAccess, Patient

BREAK_GLASS_REASON_MIN_LENGTH = 15


@transaction.atomic
def emergency_access_grant(*, staff: User, patient: Patient, reason: str) -> EmergencyAccess:
    """Break the glass: open ``patient``'s record to ``staff`` for ``BREAK_GLASS_MINUTES``.
    The grant (with its reason) is a logged change and the opening a logged read."""
    reason = (reason or "").strip()
    if len(reason) < BREAK_GLASS_REASON_MIN_LENGTH:
        raise ValidationError(
            _("Give a reason of at least %(n)d characters.") % {"n": BREAK_GLASS_REASON_MIN_LENGTH}, code="short"
        )
    now = timezone.now()
    grant = EmergencyAccess(
        staff=staff,
        patient=patient,
        reason=reason,
        granted_at=now,
        expires_at=now + timedelta(minutes=settings.BREAK_GLASS_MINUTES),
    )
    grant.full_clean()
    grant.save()
    audit_read(actor=staff, patient=patient, obj=grant, what="break-the-glass")
    return grant
