"""Settings for the benchmarks (bench/pages.py, bench/load.py): the real settings, with static files collected into a
temporary folder (``BENCH_STATIC_ROOT``) instead of the project's ``staticfiles/``."""

from __future__ import annotations

import os

from clinic.settings import *  # noqa: F403

STATIC_ROOT = os.environ["BENCH_STATIC_ROOT"]

# The benchmarks talk plain HTTP to 127.0.0.1: cookies marked Secure would never be sent back
# (locust keeps cookies like a browser). Production keeps both on (settings.py, DEBUG off).
SESSION_COOKIE_SECURE = False
CSRF_COOKIE_SECURE = False
