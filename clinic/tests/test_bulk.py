"""The raw row writer used by the demo seed: what it writes must read back exactly as the ORM
would have saved it, on SQLite and on MariaDB."""

from __future__ import annotations

from datetime import UTC, date, datetime
from decimal import Decimal

import pytest

from accounts.demo import LOGIN_COLUMNS
from accounts.models import User
from clinic import bulk
from records.models import CareRelationship, Condition, Observation, Patient
from records.services.clinical import observation_build

pytestmark = pytest.mark.django_db


def test_instances_read_back_with_their_dates_decimals_booleans_and_stamps(patient, doctor):
    when = datetime(2026, 3, 29, 0, 30, tzinfo=UTC)  # the night the clocks change in London
    observation = observation_build(
        patient=patient, recorded_by=doctor, code="2345-7", value_numeric=Decimal("126.5"), effective_at=when
    )
    condition = Condition(
        patient=patient,
        icd10_code="I10",
        description="Essential hypertension",
        onset=date(2025, 2, 28),
        recorded_by=doctor,
    )
    before = datetime.now(UTC)

    assert bulk.insert_instances(Observation, [observation]) == 1
    assert bulk.insert_instances(Condition, [condition]) == 1

    stored = Observation.objects.get(patient=patient)
    assert stored.effective_at == when
    assert stored.value_numeric == Decimal("126.5")
    assert stored.abnormal == observation.abnormal != ""  # computed by the builder, kept as is
    assert stored.entered_in_error is False
    assert stored.recorded_at >= before  # auto_now filled in
    saved = Condition.objects.get(patient=patient)
    assert (saved.onset, saved.icd10_code, saved.clinical_status) == (date(2025, 2, 28), "I10", "active")


def test_conflicting_rows_are_skipped_only_when_asked(patient, doctor):
    CareRelationship.objects.create(patient=patient, staff=doctor, source="encounter")
    duplicate = CareRelationship(patient=patient, staff=doctor, source="appointment")

    bulk.insert_instances(CareRelationship, [duplicate], ignore_conflicts=True)
    assert list(CareRelationship.objects.values_list("source", flat=True)) == ["encounter"]


def test_rows_are_written_in_batches(monkeypatch, django_assert_num_queries):
    monkeypatch.setattr(bulk, "BATCH", 2)
    joined = bulk.db_time(datetime(2026, 1, 1, tzinfo=UTC))
    rows = [(f"batch{i}@example.org", "!", f"Given{i}", "Batch", False, False, True, joined) for i in range(5)]
    with django_assert_num_queries(3):  # 2 + 2 + 1 rows
        bulk.insert_rows(User, LOGIN_COLUMNS, rows)
    users = User.objects.filter(last_name="Batch").order_by("email")
    assert [u.first_name for u in users] == [f"Given{i}" for i in range(5)]
    assert {u.date_joined for u in users} == {datetime(2026, 1, 1, tzinfo=UTC)}


@pytest.mark.django_db(transaction=True)  # ANALYZE TABLE commits on MySQL/MariaDB
def test_analyze_gives_the_planner_statistics_of_the_loaded_tables(patient):
    from django.db import connection

    bulk.analyze([Patient])
    with connection.cursor() as cursor:
        if connection.vendor == "sqlite":
            cursor.execute("SELECT count(*) FROM sqlite_stat1 WHERE tbl = %s", [Patient._meta.db_table])
        else:
            cursor.execute(
                "SELECT n_rows FROM mysql.innodb_table_stats WHERE database_name = DATABASE() AND table_name = %s",
                [Patient._meta.db_table],
            )
        assert cursor.fetchone()[0] > 0


@pytest.mark.mysql  # only MySQL/MariaDB commit on ANALYZE
def test_analyze_refuses_to_commit_a_transaction_half_way():
    from django.db import transaction

    with transaction.atomic(), pytest.raises(RuntimeError, match="commit"):
        bulk.analyze([Patient])


def test_a_row_writer_writes_full_batches_as_it_goes_and_the_rest_on_exit(monkeypatch):
    monkeypatch.setattr(bulk, "BATCH", 2)
    joined = bulk.db_time(datetime(2026, 1, 1, tzinfo=UTC))
    with bulk.RowWriter(User, LOGIN_COLUMNS) as rows:
        for i in range(3):
            rows.add((f"writer{i}@example.org", "!", "W", f"Writer{i}", False, False, True, joined))
        assert User.objects.filter(first_name="W").count() == 2  # one full batch so far
    assert rows.written == 3 == User.objects.filter(first_name="W").count()

    with pytest.raises(RuntimeError), bulk.RowWriter(User, LOGIN_COLUMNS) as rows:
        rows.add(("left@example.org", "!", "W", "Left", False, False, True, joined))
        raise RuntimeError("generation failed")
    assert not User.objects.filter(email="left@example.org").exists()  # no partial batch on error
