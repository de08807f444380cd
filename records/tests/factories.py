from __future__ import annotations

import datetime as dt
from decimal import Decimal

import factory
from django.core.files.base import ContentFile
from django.utils import timezone

from accounts.tests.factories import StaffFactory
from records.models import (
    Allergy,
    CareRelationship,
    ClinicalNote,
    Condition,
    Document,
    EmergencyAccess,
    Encounter,
    Medication,
    Observation,
    Patient,
)

PDF_BYTES = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"

REGISTRATION_PASSWORD = "a-good-long-passphrase-77"


def registration_form(**overrides) -> dict:
    """What the self-registration form (records:register) posts: valid, for a new patient,
    with any field replaced by ``overrides``."""
    data = {
        "given_name": "Carol",
        "family_name": "Cooper",
        "date_of_birth": "1985-04-12",
        "sex": "female",
        "email": "Carol@Example.org",
        "phone": "",
        "password1": REGISTRATION_PASSWORD,
        "password2": REGISTRATION_PASSWORD,
    }
    data.update(overrides)
    return data


class PatientFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Patient

    given_name = factory.Faker("first_name")
    family_name = factory.Faker("last_name")
    date_of_birth = factory.Faker("date_of_birth", minimum_age=1, maximum_age=90)
    sex = Patient.Sex.FEMALE
    email = factory.Sequence(lambda n: f"patient{n}@example.org")
    phone = "+44 20 7946 0000"
    city = "London"


class CareRelationshipFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = CareRelationship

    patient = factory.SubFactory(PatientFactory)
    staff = factory.SubFactory(StaffFactory)
    source = CareRelationship.Source.ENCOUNTER


class EmergencyAccessFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = EmergencyAccess

    staff = factory.SubFactory(StaffFactory)
    patient = factory.SubFactory(PatientFactory)
    reason = "Unconscious patient brought in by ambulance"
    granted_at = factory.LazyFunction(timezone.now)
    expires_at = factory.LazyAttribute(lambda o: o.granted_at + dt.timedelta(hours=4))


class EncounterFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Encounter

    patient = factory.SubFactory(PatientFactory)
    provider = factory.SubFactory(StaffFactory)
    start = factory.LazyFunction(lambda: timezone.now() - dt.timedelta(days=7))
    reason = "Cough for two weeks"


class ConditionFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Condition

    patient = factory.SubFactory(PatientFactory)
    encounter = factory.SubFactory(EncounterFactory, patient=factory.SelfAttribute("..patient"))
    icd10_code = "J06.9"
    description = "Acute upper respiratory infection, unspecified"
    recorded_by = factory.SelfAttribute("encounter.provider")


class AllergyFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Allergy

    patient = factory.SubFactory(PatientFactory)
    substance = "Penicillin"
    reaction = "Hives"
    recorded_by = factory.SubFactory(StaffFactory)


class MedicationFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Medication

    patient = factory.SubFactory(PatientFactory)
    drug = "Amoxicillin"
    dose = "500 mg"
    frequency = "three times a day"
    start = factory.LazyFunction(lambda: timezone.localdate() - dt.timedelta(days=3))
    prescriber = factory.SubFactory(StaffFactory)


class ObservationFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Observation

    patient = factory.SubFactory(PatientFactory)
    kind = Observation.Kind.VITALS
    code = "8867-4"
    display = "Heart rate"
    value_numeric = Decimal("72")
    unit = "/min"
    reference_low = Decimal("60")
    reference_high = Decimal("100")
    abnormal = Observation.Flag.NORMAL
    effective_at = factory.LazyFunction(timezone.now)
    recorded_by = factory.SubFactory(StaffFactory)


class ClinicalNoteFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = ClinicalNote

    patient = factory.SubFactory(PatientFactory)
    author = factory.SubFactory(StaffFactory)
    text = "Chest clear. Advised fluids and rest."


class DocumentFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Document

    patient = factory.SubFactory(PatientFactory)
    title = "Blood test report"
    kind = Document.Kind.LAB_REPORT
    file = factory.LazyFunction(lambda: ContentFile(PDF_BYTES, name="report.pdf"))
    content_type = Document.ContentType.PDF
    size = len(PDF_BYTES)
    uploaded_by = factory.SubFactory(StaffFactory)
