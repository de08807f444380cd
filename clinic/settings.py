"""Settings for Clinic, read from the environment (django-environ).

Development defaults are safe to run locally (SQLite, console e-mail, DEBUG on). Production is
``DEBUG=false`` plus ``SECRET_KEY`` and ``ALLOWED_HOSTS``; everything security-related then
switches on by itself. Every variable is documented in ``.env.example`` and the README.
"""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

import environ
import xstatic.pkg.bootstrap
from csp.constants import NONE, SELF
from django.core.exceptions import ImproperlyConfigured

BASE_DIR = Path(__file__).resolve().parent.parent

env = environ.Env()
# A .env file in the project folder is optional; real environment variables win over it.
environ.Env.read_env(BASE_DIR / ".env", overwrite=False)


def _env(reader, name: str, **kwargs):
    """Read one variable, naming it in the error when its value cannot be parsed."""
    try:
        return reader(name, **kwargs)
    except (ValueError, TypeError, environ.ImproperlyConfigured) as exc:
        raise ImproperlyConfigured(f"Invalid value for environment variable {name}: {exc}") from exc


DEBUG = _env(env.bool, "DEBUG", default=True)

_DEV_SECRET_KEY = "django-insecure-dev-only-key-never-use-in-production-0f3a9c2e7b"  # noqa: S105 - used only with DEBUG on
SECRET_KEY = _env(env.str, "SECRET_KEY", default=_DEV_SECRET_KEY if DEBUG else "")
if not SECRET_KEY:
    raise ImproperlyConfigured("SECRET_KEY must be set when DEBUG is off.")
if not DEBUG and SECRET_KEY == _DEV_SECRET_KEY:
    raise ImproperlyConfigured("SECRET_KEY is the development key; set a real one when DEBUG is off.")

ALLOWED_HOSTS = _env(
    env.list, "ALLOWED_HOSTS", default=["localhost", "127.0.0.1", "[::1]", "testserver"] if DEBUG else []
)
CSRF_TRUSTED_ORIGINS = _env(env.list, "CSRF_TRUSTED_ORIGINS", default=[])

CLINIC_NAME = _env(env.str, "CLINIC_NAME", default="Riverside Clinic")
CLINIC_TIME_ZONE = _env(env.str, "CLINIC_TIME_ZONE", default="Europe/London")
try:
    from zoneinfo import ZoneInfo

    ZoneInfo(CLINIC_TIME_ZONE)
except Exception as exc:  # ZoneInfoNotFoundError, ValueError
    raise ImproperlyConfigured(f"Invalid value for environment variable CLINIC_TIME_ZONE: {exc}") from exc

INSTALLED_APPS = [
    "clinic.apps.ClinicAdminConfig",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "crispy_forms",
    "crispy_bootstrap5",
    "csp",
    "django_otp",
    "django_otp.plugins.otp_totp",
    "django_otp.plugins.otp_static",
    "axes",
    "auditlog",
    "clinic.apps.ClinicConfig",
    "accounts",
    "records",
    "appointments",
    "diagnosis",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    # Early, so a lost database in any later middleware or view becomes a 503, not a 500.
    "clinic.middleware.DatabaseUnavailableMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    # Idle timeout and absolute lifetime: an expired session is logged out before anything else.
    "accounts.middleware.SessionTimeoutMiddleware",
    "django_otp.middleware.OTPMiddleware",
    # Staff (and patients who enrolled 2FA) reach only the OTP pages until their code is checked.
    "accounts.middleware.StaffOTPRequiredMiddleware",
    "django.contrib.auth.middleware.LoginRequiredMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "csp.middleware.CSPMiddleware",
    "clinic.middleware.NoStoreForAuthenticatedMiddleware",
    "auditlog.middleware.AuditlogMiddleware",
    # AxesMiddleware must be last: it turns lockouts raised during authentication into responses.
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "clinic.urls"
WSGI_APPLICATION = "clinic.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "clinic.context_processors.clinic",
            ],
        },
    },
]
# Widget templates can be overridden in templates/ too (templates/admin/widgets/).
FORM_RENDERER = "clinic.forms_renderer.ProjectDjangoTemplates"

# --- Database ---------------------------------------------------------------------------
DATABASES = {
    "default": _env(env.db_url, "DATABASE_URL", default=f"sqlite:///{BASE_DIR / 'db.sqlite3'}"),
}
CONN_MAX_AGE = _env(env.int, "CONN_MAX_AGE", default=0)
DATABASES["default"]["CONN_MAX_AGE"] = CONN_MAX_AGE
# A persistent connection must be checked before reuse, or a database restart breaks requests.
DATABASES["default"]["CONN_HEALTH_CHECKS"] = CONN_MAX_AGE > 0
if DATABASES["default"]["ENGINE"] == "django.db.backends.mysql":
    DATABASES["default"].setdefault("OPTIONS", {}).update(
        {
            "charset": "utf8mb4",
            "init_command": "SET sql_mode='STRICT_TRANS_TABLES'",
            # READ COMMITTED makes a locked-then-checked booking see rows committed by the winner.
            "isolation_level": "read committed",
        }
    )
    DATABASES["default"]["TEST"] = {"CHARSET": "utf8mb4", "COLLATION": "utf8mb4_unicode_ci"}
elif DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    DATABASES["default"].setdefault("OPTIONS", {}).update(
        {
            # IMMEDIATE takes the write lock at BEGIN, so concurrent bookings queue instead of failing.
            "transaction_mode": "IMMEDIATE",
            "timeout": 20,
            "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
        }
    )

# Seconds a client is told to wait (Retry-After) when the database is unreachable.
DATABASE_UNAVAILABLE_RETRY_AFTER = _env(env.int, "DATABASE_UNAVAILABLE_RETRY_AFTER", default=30)

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# --- Authentication ---------------------------------------------------------------------
AUTH_USER_MODEL = "accounts.User"
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    # Django's ModelBackend, with permissions and roles read in one query (a session made
    # under django.contrib.auth.backends.ModelBackend is asked to sign in again).
    "accounts.backends.ModelBackend",
]
LOGIN_URL = "accounts:login"
LOGIN_REDIRECT_URL = "home"
LOGOUT_REDIRECT_URL = "home"
PASSWORD_RESET_TIMEOUT = 60 * 60  # one hour

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator", "OPTIONS": {"min_length": 12}},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
    # Passphrases up to 128 characters (ASVS asks for at least 64); longer is refused.
    {"NAME": "accounts.validators.MaximumLengthValidator", "OPTIONS": {"max_length": 128}},
]
# No forced rotation (NIST 800-63B): passwords change when the user wants or on compromise.

# Two-factor (django-otp): mandatory for staff, optional for patients.
OTP_TOTP_ISSUER = CLINIC_NAME
# Changing e-mail, password or two-factor needs the password (and code) within this window.
REAUTH_SECONDS = _env(env.int, "REAUTH_SECONDS", default=10 * 60)

# Login throttling (django-axes): lock one account from one address, not a whole address.
AXES_FAILURE_LIMIT = _env(env.int, "AXES_FAILURE_LIMIT", default=5)
AXES_COOLOFF_TIME = timedelta(minutes=_env(env.int, "AXES_COOLOFF_MINUTES", default=15))
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_RESET_ON_SUCCESS = True
AXES_HTTP_RESPONSE_CODE = 429
AXES_LOCKOUT_TEMPLATE = "accounts/locked_out.html"
AXES_VERBOSE = False
# Our login form posts the e-mail as "username"; axes would otherwise look for "email" (the
# USERNAME_FIELD) and count every failure under no name. Normalised so case cannot dodge it.
AXES_USERNAME_FORM_FIELD = "username"
AXES_USERNAME_CALLABLE = "accounts.security.axes_username"
# Every failure is kept (AccessFailureLog) as well as every success (AccessLog).
AXES_ENABLE_ACCESS_FAILURE_LOG = True
# The client address, for axes as for clinic.throttle and the security events and sessions:
# REMOTE_ADDR, or behind TRUSTED_PROXY_COUNT proxies the address the outermost of them appended to
# X-Forwarded-For (accounts.security.client_ip; the entries left of it are the client's to forge).
# Behind a proxy left at 0, every client has the proxy's address: one lock-out and one e-mail
# limit for everybody.
TRUSTED_PROXY_COUNT = _env(env.int, "TRUSTED_PROXY_COUNT", default=0)
if TRUSTED_PROXY_COUNT < 0:
    raise ImproperlyConfigured("Invalid value for environment variable TRUSTED_PROXY_COUNT: must be at least 0")
AXES_CLIENT_IP_CALLABLE = "accounts.security.client_ip"

# Public forms that send e-mail (self-registration, password reset), both forms together and per
# hour: submissions from one client address (as axes finds it), and e-mails to one address. Over
# either, the page answers as usual but nothing is sent or written (clinic.throttle).
EMAIL_RATE_PER_CLIENT = _env(env.int, "EMAIL_RATE_PER_CLIENT", default=20)
EMAIL_RATE_PER_ADDRESS = _env(env.int, "EMAIL_RATE_PER_ADDRESS", default=5)
for _name in ("EMAIL_RATE_PER_CLIENT", "EMAIL_RATE_PER_ADDRESS"):
    if vars()[_name] < 1:
        raise ImproperlyConfigured(f"Invalid value for environment variable {_name}: must be at least 1")

# --- Sessions and cookies ---------------------------------------------------------------
SESSION_COOKIE_AGE = _env(env.int, "SESSION_ABSOLUTE_SECONDS", default=12 * 60 * 60)
SESSION_IDLE_SECONDS = _env(env.int, "SESSION_IDLE_SECONDS", default=30 * 60)
# The cookie lives SESSION_COOKIE_AGE; accounts.middleware.SessionTimeoutMiddleware also ends the
# server session SESSION_COOKIE_AGE after login however active it is, and after the idle time.
SESSION_EXPIRE_AT_BROWSER_CLOSE = False
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
SESSION_COOKIE_SECURE = not DEBUG
CSRF_COOKIE_SECURE = not DEBUG
CSRF_COOKIE_HTTPONLY = True

# --- Security headers -------------------------------------------------------------------
# Behind a TLS-terminating proxy, set SECURE_SSL_REDIRECT=false only if the proxy redirects,
# and SECURE_PROXY_SSL_HEADER=true when it sets X-Forwarded-Proto.
SECURE_SSL_REDIRECT = _env(env.bool, "SECURE_SSL_REDIRECT", default=not DEBUG)
if _env(env.bool, "SECURE_PROXY_SSL_HEADER", default=False):
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
SECURE_HSTS_SECONDS = _env(env.int, "SECURE_HSTS_SECONDS", default=0 if DEBUG else 31536000)
SECURE_HSTS_INCLUDE_SUBDOMAINS = True
SECURE_HSTS_PRELOAD = True
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"

CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": [SELF],
        "script-src": [SELF],
        "style-src": [SELF],
        "img-src": [SELF, "data:"],
        "font-src": [SELF],
        "connect-src": [SELF],
        "object-src": [NONE],
        "base-uri": [SELF],
        "form-action": [SELF],
        "frame-ancestors": [NONE],
    },
}

# --- E-mail -----------------------------------------------------------------------------
vars().update(_env(env.email_url, "EMAIL_URL", default="consolemail://"))
DEFAULT_FROM_EMAIL = _env(env.str, "DEFAULT_FROM_EMAIL", default="clinic@localhost")
SERVER_EMAIL = DEFAULT_FROM_EMAIL

# --- Internationalisation ---------------------------------------------------------------
LANGUAGE_CODE = "en-gb"
TIME_ZONE = CLINIC_TIME_ZONE
# Every string is marked for translation, but no translation ships yet. With none, Django still
# looks each string up through its chain of catalogues: about a third of a portal page's time
# (my appointments: 34 ms -> 22 ms profiled). Turn it on with the first translation.
USE_I18N = _env(env.bool, "USE_I18N", default=False)
USE_TZ = True

# --- Static and private files -----------------------------------------------------------
STATIC_URL = "static/"
STATIC_ROOT = BASE_DIR / "staticfiles"
STATICFILES_DIRS = [
    BASE_DIR / "static",
    ("bootstrap", xstatic.pkg.bootstrap.BASE_DIR),
]
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage" if DEBUG else "clinic.storage.StaticStorage"
    },
}
# Uploaded clinical documents: outside the web root, never served by URL, only through a view.
PRIVATE_MEDIA_ROOT = Path(_env(env.str, "PRIVATE_MEDIA_ROOT", default=str(BASE_DIR / "var" / "private")))
MEDIA_ROOT = PRIVATE_MEDIA_ROOT
DOCUMENT_MAX_BYTES = _env(env.int, "DOCUMENT_MAX_BYTES", default=10 * 1024 * 1024)
# Break-the-glass: how long an emergency opening of a record without a care relationship lasts.
BREAK_GLASS_MINUTES = _env(env.int, "BREAK_GLASS_MINUTES", default=4 * 60)
DATA_UPLOAD_MAX_MEMORY_SIZE = 5 * 1024 * 1024
# An uploaded file past DOCUMENT_MAX_BYTES is dropped while it streams in (records.files), then
# Django's own handlers: memory up to FILE_UPLOAD_MAX_MEMORY_SIZE, a temporary file beyond.
FILE_UPLOAD_HANDLERS = [
    "records.files.UploadSizeLimitHandler",
    "django.core.files.uploadhandler.MemoryFileUploadHandler",
    "django.core.files.uploadhandler.TemporaryFileUploadHandler",
]

# --- Provider dashboard -----------------------------------------------------------------
# The clinic admin's KPIs (aggregates over weeks) are recounted at most this often; 0: on
# every page view.
DASHBOARD_CACHE_SECONDS = _env(env.int, "DASHBOARD_CACHE_SECONDS", default=60)

# --- Appointments ------------------------------------------------------------------------
# Patients book online no sooner than this and no further ahead; they cancel or reschedule
# themselves until the cut-off (staff may always). Reminders go out this long before a visit.
BOOKING_MIN_NOTICE_MINUTES = _env(env.int, "BOOKING_MIN_NOTICE_MINUTES", default=120)
BOOKING_HORIZON_DAYS = _env(env.int, "BOOKING_HORIZON_DAYS", default=90)
CANCEL_CUTOFF_HOURS = _env(env.int, "CANCEL_CUTOFF_HOURS", default=24)
REMINDER_WINDOW_HOURS = _env(env.int, "REMINDER_WINDOW_HOURS", default=24)
REMINDER_LINK_MAX_AGE_HOURS = _env(env.int, "REMINDER_LINK_MAX_AGE_HOURS", default=48)
WAITLIST_OFFER_HOURS = _env(env.int, "WAITLIST_OFFER_HOURS", default=12)
# Links in e-mails sent by commands (no request to build them from) start with this.
CLINIC_BASE_URL = _env(env.str, "CLINIC_BASE_URL", default="http://localhost:8000")
# How many waiting patients (in order of joining) are offered a freed slot at once.
WAITLIST_OFFER_BATCH = _env(env.int, "WAITLIST_OFFER_BATCH", default=3)
if DATABASES["default"]["ENGINE"] == "django.db.backends.mysql":
    # MySQL has no partial unique index: the booking backstop constraint exists only where the
    # backend supports it; row locks in appointments.services keep MySQL correct.
    SILENCED_SYSTEM_CHECKS = ["models.W036"]

# --- Benchmarks -------------------------------------------------------------------------
# bench/pages.py serves a constant at /bench/floor/ through the whole stack; never in production.
BENCH_FLOOR_VIEW = _env(env.bool, "BENCH_FLOOR_VIEW", default=False)

# --- Symptom checker --------------------------------------------------------------------
MODEL_DIR = Path(_env(env.str, "MODEL_DIR", default=str(BASE_DIR / "var" / "models")))
# Symptom checks a patient may start per hour before the checker answers 429.
SYMPTOM_CHECK_RATE = _env(env.int, "SYMPTOM_CHECK_RATE", default=20)

# --- Forms ------------------------------------------------------------------------------
CRISPY_ALLOWED_TEMPLATE_PACKS = "bootstrap5"
CRISPY_TEMPLATE_PACK = "bootstrap5"

# --- Logging: never log request bodies or clinical text ---------------------------------
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {"plain": {"format": "%(asctime)s %(levelname)s %(name)s %(message)s"}},
    "handlers": {"console": {"class": "logging.StreamHandler", "formatter": "plain"}},
    "root": {"handlers": ["console"], "level": _env(env.str, "LOG_LEVEL", default="INFO")},
    "loggers": {"axes": {"level": "WARNING"}},
}
