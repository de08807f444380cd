"""Load test: 50 concurrent portal patients for 60 s (log in, browse, book, cancel) with locust
in headless mode against gunicorn + MariaDB, then an SQL check for double bookings. Run by hand.

    .venv/bin/pip install -r requirements-bench.txt     # locust, for the benchmarks only
    export DATABASE_URL=mysql://root@127.0.0.1:3306/clinic_bench_small   # seeded by seed_demo
    .venv/bin/python bench/load.py                      # --users 50 --seconds 60

Passes when locust counted no failures (a 409 "slot taken" is the correct answer to a lost race
and is not a failure) and no two live appointments of one provider or one patient overlap.
Prints the p95 over all requests and per request.
"""

from __future__ import annotations

import argparse
import csv
import os
import shutil
import signal
import subprocess
import sys
import tempfile
from pathlib import Path

from pages import ROOT, VENV_BIN, bench_env, setup_django, wait_ready  # noqa: E402

OVERLAPS = """
SELECT COUNT(*) FROM appointments_appointment a
JOIN appointments_appointment b
  ON b.{column} = a.{column} AND b.id <> a.id AND b.start < a.busy_until AND a.start < b.busy_until
WHERE a.created_at >= %s AND a.status IN %s AND b.status IN %s
"""


def double_bookings(since) -> dict[str, int]:
    from django.db import connection

    from appointments.models import Appointment

    live = tuple(Appointment.LIVE_STATUSES)
    found = {}
    with connection.cursor() as cursor:
        for column in ("provider_id", "patient_id"):
            # Only this run's rows need checking: each is compared with every row it could overlap.
            cursor.execute(OVERLAPS.format(column=column), [since, live, live])  # noqa: S608 - fixed names
            found[column.removesuffix("_id")] = cursor.fetchone()[0]
    return found


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--users", type=int, default=50)
    parser.add_argument("--seconds", type=int, default=60)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--port", type=int, default=8766)
    parser.add_argument("--first-patient", type=int, default=5001, help="Demo patient number of the first user.")
    args = parser.parse_args()

    static_root = tempfile.mkdtemp(prefix="clinic-load-static-")
    env = bench_env(static_root)
    setup_django(env)
    from django.core.management import call_command
    from django.utils import timezone

    from appointments.models import Appointment, AppointmentType

    call_command("collectstatic", interactive=False, verbosity=0)
    kind = AppointmentType.objects.get(specialty="general_practice", name="GP appointment")
    started = timezone.now()
    before = Appointment.objects.filter(created_at__gte=started).count()

    base = f"http://127.0.0.1:{args.port}"
    gunicorn = subprocess.Popen(  # noqa: S603
        [
            str(VENV_BIN / "gunicorn"),
            "clinic.wsgi:application",
            "--workers",
            str(args.workers),
            "--bind",
            f"127.0.0.1:{args.port}",
            "--access-logfile",
            "/dev/null",
            "--log-level",
            "warning",
        ],
        cwd=ROOT,
        env=env,
        start_new_session=True,
    )
    out_prefix = Path(static_root) / "load"  # locust's CSV files, read below, not kept
    try:
        wait_ready(base, gunicorn)
        locust_env = {**env, "BENCH_KIND": str(kind.pk), "BENCH_FIRST_PATIENT": str(args.first_patient)}
        subprocess.run(  # noqa: S603
            [
                str(VENV_BIN / "locust"),
                "-f",
                str(ROOT / "bench" / "locustfile.py"),
                "--headless",
                "--users",
                str(args.users),
                "--spawn-rate",
                str(max(args.users // 5, 1)),
                "--run-time",
                f"{args.seconds}s",
                "--host",
                base,
                "--csv",
                str(out_prefix),
                "--only-summary",
                "--exit-code-on-error",
                "0",
            ],
            env=locust_env,
            cwd=ROOT,
            check=True,
        )
    finally:
        os.killpg(gunicorn.pid, signal.SIGTERM)
        gunicorn.wait(timeout=30)

    rows = list(csv.DictReader((out_prefix.parent / "load_stats.csv").open()))
    shutil.rmtree(static_root, ignore_errors=True)
    failures = sum(int(r["Failure Count"]) for r in rows if r["Name"] == "Aggregated")
    print(f"\n{'request':<26} {'count':>7} {'fail':>5} {'p50 ms':>7} {'p95 ms':>7}")
    for r in rows:
        print(f"{r['Name']:<26} {r['Request Count']:>7} {r['Failure Count']:>5} {r['50%']:>7} {r['95%']:>7}")
    made = Appointment.objects.filter(created_at__gte=started).count() - before
    overlaps = double_bookings(started)
    print(f"\nAppointments booked during the run: {made}")
    print(f"Overlapping live appointments: provider {overlaps['provider']}, patient {overlaps['patient']}")
    ok = failures == 0 and not any(overlaps.values())
    print("PASS" if ok else "FAIL", f"({failures} failures)")
    sys.exit(0 if ok else 1)


if __name__ == "__main__":
    main()
