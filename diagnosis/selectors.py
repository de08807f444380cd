"""Scoped reads of the symptom checker's data."""

from __future__ import annotations

from datetime import date, datetime, timedelta
from typing import Any

from django.db.models import QuerySet
from django.http import Http404
from django.utils import timezone

from diagnosis.models import SymptomCheck
from records.models import Patient


def checks_for_patient(*, patient: Patient) -> QuerySet[SymptomCheck]:
    return SymptomCheck.objects.filter(patient=patient).order_by("-created_at", "-pk")


def get_check_for_patient(*, patient: Patient, pk) -> SymptomCheck:
    """The patient's own check; 404 for anyone else's (never says whether it exists)."""
    try:
        return SymptomCheck.objects.select_related("model_version").get(patient=patient, pk=pk)
    except (SymptomCheck.DoesNotExist, ValueError, TypeError):
        raise Http404 from None


def checks_started_since(*, user, since: datetime) -> int:
    return SymptomCheck.objects.filter(created_by=user, created_at__gte=since).count()


def checks_started_last_hour(*, user) -> int:
    return checks_started_since(user=user, since=timezone.now() - timedelta(hours=1))


def checker_agreement(*, start: date | datetime, end: date | datetime) -> list[dict[str, Any]]:
    """Per month of confirmation (local time) in [start, end): checks confirmed, how many had
    the confirmed diagnosis in the checker's top 3, and that share.

    Months are grouped in Python, not with ``TruncMonth``: on MySQL/MariaDB that needs the
    server's time-zone tables loaded, and confirmed checks are few (one per visit at most)."""
    rows = SymptomCheck.objects.filter(
        confirmed_at__gte=start, confirmed_at__lt=end, agrees_top3__isnull=False
    ).values_list("confirmed_at", "agrees_top3")
    months: dict[date, list[int]] = {}
    for confirmed_at, agrees in rows.iterator():
        month = timezone.localtime(confirmed_at).date().replace(day=1)
        counts = months.setdefault(month, [0, 0])
        counts[0] += 1
        counts[1] += bool(agrees)
    return [
        {"month": month, "confirmed": n, "in_top3": k, "share": k / n if n else None}
        for month, (n, k) in sorted(months.items())
    ]


def _condition_for_code(kb, code: str) -> str | None:
    """The KB condition whose ICD-10 codes best match a confirmed code (longest prefix)."""
    wanted = code.replace(".", "").upper()
    best, best_len = None, 0
    for condition in kb.conditions.values():
        for own in condition.icd10:
            own_norm = own.replace(".", "").upper()
            if wanted.startswith(own_norm) or own_norm.startswith(wanted):
                length = min(len(own_norm), len(wanted))
                if length > best_len and length >= 3:
                    best, best_len = condition.id, length
    return best


def confirmed_training_cases(*, kb) -> list[dict[str, Any]]:
    """Confirmed clinic cases as training rows: the check's findings, age and sex, and the KB
    condition whose ICD-10 code matches the confirmed one (unmatched codes are left out)."""
    cases = []
    checks = SymptomCheck.objects.exclude(confirmed_icd10="").only("findings", "age", "sex", "confirmed_icd10")
    for check in checks.iterator():
        condition_id = _condition_for_code(kb, check.confirmed_icd10)
        findings = {f["code"]: bool(f["present"]) for f in check.findings or [] if f.get("code")}
        if condition_id is None or not findings:
            continue
        cases.append({"condition_id": condition_id, "age": check.age or 0, "sex": check.sex, "findings": findings})
    return cases
