"""Page benchmark: each page's throughput and latency next to a constant "floor" view, served the
same way (gunicorn, 2 workers, DEBUG off) from a seeded MariaDB. Run by hand, not by CI.

    mysql -uroot -e "create database clinic_bench_small character set utf8mb4"
    export DATABASE_URL=mysql://root@127.0.0.1:3306/clinic_bench_small
    .venv/bin/python manage.py migrate
    .venv/bin/python manage.py seed_demo --patients 10000 --appointments 100000
    .venv/bin/python bench/pages.py --label small            # writes bench/results-small.json
    # ... the same with clinic_bench_large and --patients 100000 --appointments 1000000, then
    .venv/bin/python bench/pages.py --label large --compare bench/results-small.json

Sessions are made in-process (a SessionStore for patient1@demo.clinic, and for
admin@demo.clinic one that also carries its confirmed TOTP device, as after the code step), and
their cookies are given to wrk (``bench/report.lua`` prints p50/p95). Each page is first fetched
once to check it answers 200; its query count is measured in-process with
CaptureQueriesContext. Goals (bench/README.md): every page >= 1/3 of the floor's requests/s;
the large size's p50 <= 1.3x the small size's; query counts the same at both sizes.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import shutil
import signal
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
# The project first: bench/ (this script's folder, sys.path[0]) holds scripts named like apps.
sys.path.insert(0, str(ROOT))
VENV_BIN = Path(sys.executable).parent
SECRET = "bench-only-secret-key-not-for-production-5b1d9c0e7a3f2c4d8e6f"  # noqa: S105 - local benchmark

PATIENT_EMAIL = "patient1@demo.clinic"
STAFF_EMAIL = "admin@demo.clinic"


def bench_env(static_root: str) -> dict[str, str]:
    env = dict(os.environ)
    env.update(
        {
            "DJANGO_SETTINGS_MODULE": "clinic.settings_bench",
            "PYTHONPATH": str(ROOT),  # not bench/: its scripts would shadow apps (diagnosis.py)
            "DEBUG": "false",
            "SECRET_KEY": SECRET,
            "ALLOWED_HOSTS": "127.0.0.1",
            "SECURE_SSL_REDIRECT": "false",
            "SECURE_HSTS_SECONDS": "0",
            "BENCH_FLOOR_VIEW": "true",
            "BENCH_STATIC_ROOT": static_root,
            "LOG_LEVEL": "WARNING",
        }
    )
    if "DATABASE_URL" not in env:
        sys.exit("Set DATABASE_URL to the seeded MariaDB database (see the docstring).")
    return env


def setup_django(env: dict[str, str]) -> None:
    os.environ.update(env)
    import django

    django.setup()


def make_session(user, *, otp: bool) -> str:
    """A logged-in session, as the login (and for staff the TOTP step) would leave it."""
    from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY
    from django.contrib.sessions.backends.db import SessionStore
    from django_otp import DEVICE_ID_SESSION_KEY
    from django_otp.plugins.otp_totp.models import TOTPDevice

    from accounts import security

    session = SessionStore()
    session[SESSION_KEY] = str(user.pk)
    session[BACKEND_SESSION_KEY] = "accounts.backends.ModelBackend"
    session[HASH_SESSION_KEY] = user.get_session_auth_hash()
    stamp = security.now()
    session[security.LOGIN_AT] = stamp
    session[security.LAST_SEEN] = stamp
    session[security.REAUTH_AT] = stamp
    if otp:
        device = TOTPDevice.objects.filter(user=user, confirmed=True).first()
        if device is None:
            sys.exit(f"{user.email} has no confirmed TOTP device: run seed_demo first.")
        session[DEVICE_ID_SESSION_KEY] = device.persistent_id
    session.create()
    return session.session_key


def pages() -> list[tuple[str, str, str]]:
    """(name, url, who) for every page measured; the floor first."""
    from appointments.models import AppointmentType

    kind = AppointmentType.objects.filter(specialty="general_practice", name="GP appointment").first()
    slot_url = "/appointments/book/?specialty=general_practice"
    if kind is not None:
        slot_url += f"&appointment_type={kind.pk}"
    return [
        ("floor", "/bench/floor/", "patient"),
        ("portal home", "/", "patient"),
        ("my appointments", "/appointments/", "patient"),
        ("my record", "/records/", "patient"),
        ("slot finder", slot_url, "patient"),
        ("admin dashboard", "/admin/", "staff"),
        ("appointments changelist ?q=", "/admin/appointments/appointment/?q=smith", "staff"),
        ("patients changelist ?q=", "/admin/records/patient/?q=smith", "staff"),
        # Not a goal: a stock admin list of the clinic's few locations, for what any changelist
        # costs through Django's admin before it has data to search (the "admin floor").
        ("admin list, 4 locations", "/admin/appointments/location/", "staff"),
    ]


def count_queries(url: str, cookie: str) -> tuple[int, int]:
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext

    client = Client(HTTP_HOST="127.0.0.1")
    client.cookies["sessionid"] = cookie
    client.get(url)  # warm caches (content types, the checker) as a running worker has them
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url)
    return response.status_code, len(queries)


def wait_ready(base: str, proc: subprocess.Popen, timeout: float = 120) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            sys.exit("gunicorn exited during start-up.")
        try:
            with urllib.request.urlopen(base + "/healthz", timeout=5) as response:  # noqa: S310 - local URL
                if response.status == 200:
                    return
        except OSError:
            time.sleep(0.5)
    sys.exit("gunicorn did not answer /healthz in time.")


def fetch_status(url: str, cookie: str) -> int:
    request = urllib.request.Request(url, headers={"Cookie": f"sessionid={cookie}"})  # noqa: S310 - local URL

    class NoRedirect(urllib.request.HTTPRedirectHandler):
        def redirect_request(self, *args, **kwargs):
            return None

    opener = urllib.request.build_opener(NoRedirect)
    try:
        with opener.open(request, timeout=60) as response:
            return response.status
    except urllib.error.HTTPError as exc:
        return exc.code


def run_wrk(url: str, cookie: str, *, duration: int, connections: int, threads: int) -> dict:
    command = [
        "wrk",
        f"-t{threads}",
        f"-c{connections}",
        f"-d{duration}s",
        "--timeout",
        "30s",
        "-s",
        str(ROOT / "bench" / "report.lua"),
        "-H",
        f"Cookie: sessionid={cookie}",
        url,
    ]
    output = subprocess.run(command, capture_output=True, text=True, check=True).stdout  # noqa: S603
    match = re.search(r"^BENCH (\{.*\})$", output, re.MULTILINE)
    if match is None:
        raise RuntimeError(f"wrk printed no result:\n{output}")
    return json.loads(match.group(1))


def table(results: dict, compare: dict | None) -> str:
    floor_rps = results["pages"]["floor"]["rps"]
    head = "| page | req/s | x floor | p50 ms | p95 ms | queries | errors |"
    rule = "| --- | ---: | ---: | ---: | ---: | ---: | ---: |"
    if compare:
        head += " p50 vs other size | queries other size |"
        rule += " ---: | ---: |"
    lines = [head, rule]
    for name, row in results["pages"].items():
        errors = row["errors_status"] + row["errors_connect"] + row["errors_read"] + row["errors_timeout"]
        line = (
            f"| {name} | {row['rps']:.0f} | {row['rps'] / floor_rps:.2f} | {row['p50_ms']:.1f} | "
            f"{row['p95_ms']:.1f} | {row['queries']} | {errors} |"
        )
        if compare:
            other = compare["pages"].get(name)
            if other:
                line += f" {row['p50_ms'] / other['p50_ms']:.2f} | {other['queries']} |"
            else:
                line += " - | - |"
        lines.append(line)
    return "\n".join(lines)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--label", default="run", help="Name of this data size (results-<label>.json).")
    parser.add_argument("--duration", type=int, default=15, help="Seconds of wrk per page.")
    parser.add_argument("--connections", type=int, default=8)
    parser.add_argument("--threads", type=int, default=2)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--port", type=int, default=8765)
    parser.add_argument("--only", nargs="*", help="Measure only these pages (and the floor).")
    parser.add_argument("--compare", type=Path, help="An earlier results file (the other data size).")
    args = parser.parse_args()

    static_root = tempfile.mkdtemp(prefix="clinic-bench-static-")
    env = bench_env(static_root)
    setup_django(env)
    from django.core.management import call_command

    from accounts.models import User
    from appointments.models import Appointment
    from records.models import Patient

    call_command("collectstatic", interactive=False, verbosity=0)
    patient = User.objects.get(email=PATIENT_EMAIL)
    staff = User.objects.get(email=STAFF_EMAIL)
    cookies = {"patient": make_session(patient, otp=False), "staff": make_session(staff, otp=True)}
    sizes = {"patients": Patient.objects.count(), "appointments": Appointment.objects.count()}
    print(f"Data: {sizes['patients']} patients, {sizes['appointments']} appointments", flush=True)

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
            "-" if os.environ.get("BENCH_ACCESS_LOG") else "/dev/null",
            "--log-level",
            "warning",
            "--timeout",
            "120",  # a slow page is measured, not killed (the default 30 s)
        ],
        cwd=ROOT,
        env=env,
        start_new_session=True,
    )
    results = {
        "label": args.label,
        "date": time.strftime("%Y-%m-%d %H:%M UTC", time.gmtime()),
        "machine": machine(),
        "sizes": sizes,
        "wrk": {"duration": args.duration, "connections": args.connections, "threads": args.threads},
        "pages": {},
    }
    try:
        wait_ready(base, gunicorn)
        for name, url, who in pages():
            if args.only and name != "floor" and name not in args.only:
                continue
            cookie = cookies[who]
            try:
                status = fetch_status(base + url, cookie)
            except OSError as exc:
                status = f"no answer ({exc})"
            if status != 200:
                print(f"{name}: {url} answered {status}, skipped", flush=True)
                continue
            code, queries = count_queries(url, cookie)
            row = run_wrk(
                base + url, cookie, duration=args.duration, connections=args.connections, threads=args.threads
            )
            row.update({"url": url, "queries": queries if code == 200 else None})
            results["pages"][name] = row
            print(
                f"{name:<30} {row['rps']:8.1f} req/s  p50 {row['p50_ms']:7.1f} ms  p95 {row['p95_ms']:7.1f} ms"
                f"  {queries} queries",
                flush=True,
            )
    finally:
        os.killpg(gunicorn.pid, signal.SIGTERM)
        gunicorn.wait(timeout=30)
        shutil.rmtree(static_root, ignore_errors=True)

    out = ROOT / "bench" / f"results-{args.label}.json"
    out.write_text(json.dumps(results, indent=2) + "\n")
    compare = json.loads(args.compare.read_text()) if args.compare else None
    print()
    print(table(results, compare))
    print(f"\nSaved {out.relative_to(ROOT)}")


def machine() -> str:
    cpu = "unknown CPU"
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    return f"{os.cpu_count()} cores, {cpu}, load average {os.getloadavg()[0]:.1f} at start"


if __name__ == "__main__":
    main()
