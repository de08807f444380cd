"""Print a patient's record, e.g. ``manage.py export_record MRN-00001234 --format fhir``."""

from __future__ import annotations

import json

from django.core.management.base import BaseCommand, CommandError, CommandParser

from records.audit import audit_read
from records.fhir import record_bundle
from records.models import Patient


class Command(BaseCommand):
    help = "Print one patient's record as a FHIR R4 Bundle (type collection). The export is audited."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("mrn", help="The patient's medical record number, e.g. MRN-00001234.")
        parser.add_argument("--format", choices=["fhir"], default="fhir", help="Output format (only fhir for now).")
        parser.add_argument("--indent", type=int, default=2, help="JSON indentation (0 for one line).")

    def handle(self, *args, mrn: str, format: str, indent: int, **options) -> None:
        patient = Patient.objects.filter(mrn=mrn.strip().upper()).first()
        if patient is None:
            raise CommandError(f"No patient with MRN {mrn!r}.")
        # Operations exports are reads too: logged without a staff actor, named as the command.
        audit_read(actor=None, patient=patient, what="export:fhir:command")
        bundle = record_bundle(patient)
        self.stdout.write(json.dumps(bundle, indent=indent or None, ensure_ascii=False))
