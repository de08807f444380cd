"""Test settings: only what tests need differs from the real settings."""

import tempfile
from pathlib import Path

from clinic.settings import *  # noqa: F403

PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
DASHBOARD_CACHE_SECONDS = 0  # tests see every change at once; test_dashboard_cache turns it on
TRUSTED_PROXY_COUNT = 0  # whatever the environment says: tests that want a proxy set it themselves
_TMP = Path(tempfile.mkdtemp(prefix="clinic-test-"))
PRIVATE_MEDIA_ROOT = _TMP / "private"
MEDIA_ROOT = PRIVATE_MEDIA_ROOT
MODEL_DIR = _TMP / "models"
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}
