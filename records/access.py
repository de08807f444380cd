"""Who may see which patient: the one place the access rules live.

- A patient sees their own record (portal), nothing else.
- Receptionists see every patient's demographics and no clinical content.
- Doctors and nurses see the patients they have a care relationship with (an encounter or an
  appointment, ``CareRelationship``) or an unexpired break-the-glass grant (``EmergencyAccess``).
- Clinic admins see everything.

Anything else is a 404 (the lookups below never say whether a record exists).
"""

from __future__ import annotations

from django.db.models import Exists, OuterRef, QuerySet
from django.http import Http404, HttpRequest
from django.utils import timezone

from accounts import roles
from records.models import CareRelationship, EmergencyAccess, Patient


def _is_staff_with(user, *role_names: str) -> bool:
    return bool(user is not None and user.is_authenticated and user.is_active and user.is_staff) and roles.has_role(
        user, *role_names
    )


def is_clinic_admin(user) -> bool:
    return _is_staff_with(user, roles.CLINIC_ADMIN)


def is_clinician(user) -> bool:
    return _is_staff_with(user, *roles.CLINICAL_ROLES)


def is_receptionist(user) -> bool:
    return _is_staff_with(user, roles.RECEPTIONIST)


def _cared_for_by(user) -> Exists:
    return Exists(CareRelationship.objects.filter(patient=OuterRef("pk"), staff=user))


def _emergency_open_for(user) -> Exists:
    return Exists(EmergencyAccess.objects.filter(patient=OuterRef("pk"), staff=user, expires_at__gt=timezone.now()))


def clinically_visible_patients(user) -> QuerySet[Patient]:
    """Patients whose clinical record ``user`` may read as staff."""
    if is_clinic_admin(user):
        return Patient.objects.all()
    if is_clinician(user):
        return Patient.objects.filter(_cared_for_by(user) | _emergency_open_for(user))
    return Patient.objects.none()


def patients_visible_to(user) -> QuerySet[Patient]:
    """Patients ``user`` may see at all (demographics at least)."""
    if user is None or not user.is_authenticated:
        return Patient.objects.none()
    if is_clinic_admin(user) or is_receptionist(user):
        return Patient.objects.all()
    if is_clinician(user):
        return clinically_visible_patients(user)
    return Patient.objects.filter(user=user)


def has_emergency_access(user, patient: Patient) -> bool:
    return EmergencyAccess.objects.filter(staff=user, patient=patient, expires_at__gt=timezone.now()).exists()


def has_care_relationship(user, patient: Patient) -> bool:
    return CareRelationship.objects.filter(staff=user, patient=patient).exists()


def can_view_clinical(user, patient: Patient) -> bool:
    if user is None or not user.is_authenticated:
        return False
    if patient.user_id is not None and patient.user_id == user.pk:
        return True
    if is_clinic_admin(user):
        return True
    if is_clinician(user):
        return has_care_relationship(user, patient) or has_emergency_access(user, patient)
    return False


def can_view_demographics(user, patient: Patient) -> bool:
    return is_receptionist(user) or can_view_clinical(user, patient)


def needs_break_glass(user, patient: Patient) -> bool:
    """A clinician who could open this record only by giving a reason."""
    return is_clinician(user) and not is_clinic_admin(user) and not can_view_clinical(user, patient)


def get_patient_for_portal_user(request: HttpRequest) -> Patient:
    """The patient record of the signed-in portal user; 404 for a login without one."""
    if not request.user.is_authenticated:
        raise Http404
    try:
        return Patient.objects.get(user=request.user)
    except Patient.DoesNotExist:
        raise Http404 from None


def get_patient_for_staff(request: HttpRequest, pk) -> Patient:
    """A patient this staff member may see; 404 otherwise (also for a bad ``pk``)."""
    if not request.user.is_authenticated or not request.user.is_staff:
        raise Http404
    try:
        return patients_visible_to(request.user).get(pk=pk)
    except (Patient.DoesNotExist, ValueError, TypeError):
        raise Http404 from None


def get_patient_for_clinical_staff(request: HttpRequest, pk) -> Patient:
    """Like ``get_patient_for_staff`` but for clinical content: receptionists get a 404."""
    patient = get_patient_for_staff(request, pk)
    if not can_view_clinical(request.user, patient):
        raise Http404
    return patient
