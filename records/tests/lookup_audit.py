"""For tests of staff pages that list patients: each view writes one ``audit_lookup`` row naming
the patients shown, for exactly one query more than the page costs without it."""

from __future__ import annotations

from dataclasses import dataclass

from auditlog.models import LogEntry
from django.db import connection
from django.test.utils import CaptureQueriesContext


def lookup_rows():
    """The ``records.audit.audit_lookup`` rows (access rows about no single patient), oldest first."""
    return LogEntry.objects.filter(action=LogEntry.Action.ACCESS, object_pk="").order_by("pk")


@dataclass
class AuditedPage:
    response: object
    rows: list[LogEntry]  # the lookup rows this one view wrote
    queries: int  # the view's queries
    extra_queries: int  # its queries minus those of the same view with the audit switched off
    audit_inserts: int  # INSERTs into the audit log among its queries

    @property
    def html(self) -> str:
        return self.response.content.decode()


def _no_audit(**kwargs) -> None:
    return None


def get_audited(client, monkeypatch, audit_at: str, url: str, data=None) -> AuditedPage:
    """GET ``url`` three times: once to warm the per-process caches (permissions, content types),
    once with ``audit_lookup`` as the page's module imported it (``audit_at``) switched off, and
    once as it is, the view measured."""
    client.get(url, data)
    with monkeypatch.context() as patched:
        patched.setattr(audit_at, _no_audit)
        with CaptureQueriesContext(connection) as without:
            client.get(url, data)
    last = LogEntry.objects.order_by("-pk").values_list("pk", flat=True).first() or 0
    with CaptureQueriesContext(connection) as audited:
        response = client.get(url, data)
    inserts = [q for q in audited.captured_queries if q["sql"].startswith("INSERT") and "auditlog_logentry" in q["sql"]]
    return AuditedPage(
        response=response,
        rows=list(lookup_rows().filter(pk__gt=last)),
        queries=len(audited),
        extra_queries=len(audited) - len(without),
        audit_inserts=len(inserts),
    )


def assert_one_row_naming(page: AuditedPage, *, actor, what: str, patients: list, shown_as=str) -> None:
    """The view wrote one row by ``actor``, for one INSERT more, naming ``patients`` in that
    order, and the page shows them in that order (``shown_as(patient)``: how it names one)."""
    assert page.response.status_code == 200
    (row,) = page.rows
    assert row.actor == actor
    assert row.additional_data == {"what": what, "patient_ids": [p.pk for p in patients]}
    assert (page.extra_queries, page.audit_inserts) == (1, 1)
    positions = [page.html.find(shown_as(p)) for p in patients]
    assert -1 not in positions and positions == sorted(positions), positions


def assert_no_row(page: AuditedPage) -> None:
    assert page.response.status_code == 200
    assert page.rows == []
    assert (page.extra_queries, page.audit_inserts) == (0, 0)
