"""Profile one page in-process: the same settings and session as bench/pages.py, N requests
through Django's test client under cProfile, then the top functions and the SQL time.

    export DATABASE_URL=mysql://root@127.0.0.1:3306/clinic_bench_small
    .venv/bin/python bench/profile_page.py /appointments/ --who patient -n 50
"""

from __future__ import annotations

import argparse
import cProfile
import pstats
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.pages import PATIENT_EMAIL, STAFF_EMAIL, bench_env, make_session, setup_django  # noqa: E402


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("url")
    parser.add_argument("--who", choices=("patient", "staff"), default="patient")
    parser.add_argument("-n", type=int, default=50)
    parser.add_argument("--top", type=int, default=35)
    parser.add_argument("--sort", default="cumulative")
    parser.add_argument("--save", metavar="FILE", help="Also write the profile (pstats) to FILE.")
    args = parser.parse_args()
    setup_django(bench_env(tempfile.mkdtemp()))
    from django.core.management import call_command

    call_command("collectstatic", interactive=False, verbosity=0)
    from django.core.signals import request_started
    from django.db import connection, reset_queries
    from django.test import Client
    from django.test.utils import CaptureQueriesContext

    from accounts.models import User

    email = PATIENT_EMAIL if args.who == "patient" else STAFF_EMAIL
    cookie = make_session(User.objects.get(email=email), otp=args.who == "staff")
    client = Client(HTTP_HOST="127.0.0.1")
    client.cookies["sessionid"] = cookie
    response = client.get(args.url)
    assert response.status_code == 200, response.status_code
    request_started.disconnect(reset_queries)  # it would empty the log the capture reads
    with CaptureQueriesContext(connection) as queries:
        client.get(args.url)
    captured = list(queries.captured_queries)
    sql_ms = sum(float(q["time"]) for q in captured) * 1000
    profiler = cProfile.Profile()
    started = time.perf_counter()
    profiler.enable()
    for _ in range(args.n):
        client.get(args.url)
    profiler.disable()
    per_request = (time.perf_counter() - started) / args.n * 1000
    print(f"{args.url}: {per_request:.1f} ms a request (profiled); {len(captured)} queries, {sql_ms:.1f} ms SQL")
    for q in sorted(captured, key=lambda q: -float(q["time"]))[:5]:
        print(f"  {float(q['time']) * 1000:6.1f} ms  {q['sql'][:200]}")
    pstats.Stats(profiler).sort_stats(args.sort).print_stats(args.top)
    if args.save:
        profiler.dump_stats(args.save)


if __name__ == "__main__":
    main()
