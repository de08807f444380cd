from __future__ import annotations

from io import StringIO

import pytest
from django.core.management import call_command

from diagnosis.models import SymptomCheck

pytestmark = pytest.mark.django_db


def _seed() -> str:
    out = StringIO()
    call_command("seed_demo", "--patients", "3", "--appointments", "0", stdout=out)
    return out.getvalue()


def test_seed_demo_adds_checks_once_when_a_model_loads(active_model):
    _seed()
    count = SymptomCheck.objects.count()
    assert count == 6  # two checks for each of the three demo patients
    assert all(c.model_version == active_model and c.conditions for c in SymptomCheck.objects.all())
    _seed()
    assert SymptomCheck.objects.count() == count


def test_seed_demo_skips_checks_without_a_model(db, fresh_checker_cache):
    output = _seed()
    assert SymptomCheck.objects.count() == 0
    assert "no demo checks" in output
