"""Fixtures of the symptom checker's Django tests (defined in ``support.py``)."""

from diagnosis.tests.support import active_model, fresh_checker_cache, kb, trained_model  # noqa: F401
