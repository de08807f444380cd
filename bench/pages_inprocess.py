"""The pages of bench/pages.py timed in-process, one request at a time (Django's test client, no
HTTP server, no concurrency): steadier than the wrk runs for comparing two data sizes.

    DATABASE_URL=mysql://root@127.0.0.1:3306/clinic_bench_small .venv/bin/python bench/pages_inprocess.py
"""

from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.pages import PATIENT_EMAIL, STAFF_EMAIL, bench_env, make_session, pages, setup_django  # noqa: E402


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--runs", type=int, default=30)
    parser.add_argument("--warmup", type=int, default=3)
    args = parser.parse_args()
    setup_django(bench_env(tempfile.mkdtemp()))
    from django.core.management import call_command
    from django.test import Client

    from accounts.models import User

    call_command("collectstatic", interactive=False, verbosity=0)
    clients = {}
    for who, email in (("patient", PATIENT_EMAIL), ("staff", STAFF_EMAIL)):
        clients[who] = Client(HTTP_HOST="127.0.0.1")
        clients[who].cookies["sessionid"] = make_session(User.objects.get(email=email), otp=who == "staff")
    for name, url, who in pages():
        client = clients[who]
        for _ in range(args.warmup):
            client.get(url)
        times = []
        for _ in range(args.runs):
            started = time.perf_counter()
            status = client.get(url).status_code
            times.append((time.perf_counter() - started) * 1000)
        print(f"{name:36s} median {statistics.median(times):7.1f} ms  min {min(times):7.1f} ms  status {status}")


if __name__ == "__main__":
    main()
