"""Settings for the app that test_database_loss serves in a subprocess (gunicorn).

Everything comes from the environment like in production (DATABASE_URL, DEBUG, SECRET_KEY,
CONN_MAX_AGE); only the URLconf adds test-only views, so production URLs stay untouched.
"""

from clinic.settings_test import *  # noqa: F403

ROOT_URLCONF = "clinic.tests.serve_urls"
