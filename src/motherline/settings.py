"""One settings module: every deploy-time value comes from the environment."""

import os
from pathlib import Path

import dj_database_url
from django.core.exceptions import ImproperlyConfigured
from django.utils.translation import gettext_lazy as _

BASE_DIR = Path(__file__).resolve().parent


def envbool(name: str, default: bool = False) -> bool:
    value = os.environ.get(name)
    if value is None:
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


def envint(name: str, default: int) -> int:
    value = os.environ.get(name)
    return int(value) if value else default


def envint_at_least(name: str, default: int, minimum: int) -> int:
    """An integer setting; a value that is not a whole number of at least `minimum` stops
    the start with the setting's name, rather than running with a surprise."""
    value = os.environ.get(name, "").strip()
    if not value:
        return default
    try:
        number = int(value)
    except ValueError:
        raise ImproperlyConfigured(f"{name} must be a whole number, not {value!r}.") from None
    if number < minimum:
        raise ImproperlyConfigured(f"{name} must be at least {minimum}, not {number}.")
    return number


def site_url(name: str) -> str:
    """The address users reach the deployment at (for full links in e-mail): http(s), a
    host, an optional port and path, no query, fragment or user; without a trailing slash.
    Empty when unset (e-mail then names paths)."""
    from urllib.parse import urlsplit

    value = os.environ.get(name, "").strip()
    if not value:
        return ""
    try:
        parts = urlsplit(value)
        parts.port  # noqa: B018 (raises ValueError on a port that is not a number)
    except ValueError:
        raise ImproperlyConfigured(f"{name} is not a web address: {value!r}.") from None
    if (
        parts.scheme not in {"http", "https"}
        or not parts.hostname
        or parts.query
        or parts.fragment
        or parts.username
        or parts.password
        or any(c.isspace() for c in value)
    ):
        raise ImproperlyConfigured(
            f"{name} must be an http:// or https:// address such as "
            f"https://motherline.example.org, not {value!r}."
        )
    return value.rstrip("/")


def cron(name: str, default: str) -> str:
    """A schedule in crontab's five fields (minute hour day month weekday), checked now."""
    from apscheduler.triggers.cron import CronTrigger

    value = os.environ.get(name, "").strip() or default
    try:
        CronTrigger.from_crontab(value)
    except ValueError as exc:
        raise ImproperlyConfigured(
            f"{name} must be a crontab schedule such as '30 1 * * *', not {value!r} ({exc})."
        ) from None
    return value


def envlist(name: str, default: str = "") -> list[str]:
    return [item.strip() for item in os.environ.get(name, default).split(",") if item.strip()]


DATA_DIR = Path(os.environ.get("MOTHERLINE_DATA_DIR", Path.cwd() / "var")).resolve()

# Off unless exactly "1": a typo or "false" must never turn debugging on in production.
DEBUG = os.environ.get("MOTHERLINE_DEBUG", "").strip() == "1"
# A fixed key is only acceptable for the local demo; production sets MOTHERLINE_SECRET_KEY.
DEMO_SECRET_KEY = "insecure-local-demo-key-set-MOTHERLINE_SECRET_KEY-in-production"
SECRET_KEY = os.environ.get("MOTHERLINE_SECRET_KEY", DEMO_SECRET_KEY)
ALLOWED_HOSTS = envlist("MOTHERLINE_ALLOWED_HOSTS", "127.0.0.1,localhost,[::1]")
CSRF_TRUSTED_ORIGINS = envlist("MOTHERLINE_CSRF_TRUSTED_ORIGINS")

INSTALLED_APPS = [
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "motherline.accounts",
    "motherline.jurisdictions",
    "motherline.places",
    "motherline.people",
    "motherline.care",
    "motherline.legal",
    "motherline.casework",
    "motherline.worklist",
    "motherline.fieldwork",
    "motherline.grants",
    "motherline.reports",
    "motherline.stats",
    "motherline.vault",
    "motherline.jobs",
    "django_tasks",
    "django_tasks_db",
    "ninja",
    "motherline.api",
    "motherline.security",
    "django_otp",
    "django_otp.plugins.otp_totp",
    "axes",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    # After the static files: CSP and no-store on every answer of the application.
    "motherline.security.headers.SecurityHeadersMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    # Before anything reads the body (the CSRF check reads a form's fields).
    "motherline.uploads.RequestSizeLimitMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    # The reader's digits (her preference) for every date and number of the answer.
    "motherline.formatting.ReaderDigitsMiddleware",
    "django_otp.middleware.OTPMiddleware",
    "motherline.security.twofactor.TwoFactorMiddleware",
    # Before the NUL refusal, so that its 404 is recorded as a refused lookup too.
    "motherline.security.refusals.RecordRefusedLookupsMiddleware",
    "motherline.security.middleware.RefuseNulPathMiddleware",
    "motherline.security.middleware.RefuseUnservedMethodsMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    # A sign-in refused by the ceiling per address becomes the lockout page (429).
    "motherline.security.spraying.AddressCeilingMiddleware",
    # Last, as django-axes asks: it turns a locked-out sign-in into the lockout page.
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "motherline.urls"
WSGI_APPLICATION = "motherline.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.i18n",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "motherline.accounts.context_processors.access",
                "motherline.navigation.navigation",
            ],
            # In every template and PDF, so that none loads them: translation (the project is
            # bilingual from its first string), static files, and dates and numbers in the
            # reader's language. An app's own tags (care_tags, people_tags, ...) stay loaded
            # where they are used.
            "builtins": [
                "django.templatetags.i18n",
                "django.templatetags.static",
                "motherline.formatting_tags",
            ],
        },
    },
]

DATABASES = {
    "default": dj_database_url.config(
        default=f"sqlite:///{DATA_DIR / 'motherline.sqlite3'}",
        conn_max_age=envint("MOTHERLINE_DB_CONN_MAX_AGE", 60),
    )
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # Django's backend, creating the file 0600 in a 0700 directory (vault/sqlite3).
    DATABASES["default"]["ENGINE"] = "motherline.vault.sqlite3"
    # WAL lets readers and one writer work at once; IMMEDIATE avoids lock upgrades failing.
    DATABASES["default"]["OPTIONS"] = {
        "transaction_mode": "IMMEDIATE",
        "timeout": 20,
        "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
    }
    DATABASES["default"]["CONN_MAX_AGE"] = 0
    DATABASES["default"].setdefault("TEST", {})["NAME"] = ":memory:"
elif DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql":
    # The worklist's few, short queries paid up to 1.8 s of JIT compilation at x100.
    DATABASES["default"].setdefault("OPTIONS", {}).setdefault("options", "-c jit=off")

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"
AUTH_USER_MODEL = "accounts.User"
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "home"
LOGOUT_REDIRECT_URL = "login"

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {
        "NAME": "django.contrib.auth.password_validation.MinimumLengthValidator",
        "OPTIONS": {"min_length": 12},
    },
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

LANGUAGE_CODE = "en"
# The interface's languages: English and the local languages of the packs the deployment
# serves (MOTHERLINE_LANGUAGES, codes separated by commas). English and Khmer have a full
# catalogue; a page in Swahili or Thai shows the packs' local names, dates and numbers in that
# language and the rest in English until its catalogue is written.
LANGUAGE_NAMES = {"en": _("English"), "km": _("Khmer"), "sw": _("Swahili"), "th": _("Thai")}
LANGUAGES = [
    (code, LANGUAGE_NAMES.get(code, code)) for code in envlist("MOTHERLINE_LANGUAGES", "en,km")
]
if not LANGUAGES or LANGUAGES[0][0] != "en" or any(c not in LANGUAGE_NAMES for c, _n in LANGUAGES):
    raise ImproperlyConfigured(
        f"MOTHERLINE_LANGUAGES: expected en first, then any of {', '.join(LANGUAGE_NAMES)}"
    )
LOCALE_PATHS = [BASE_DIR / "locale"]
USE_I18N = True
TIME_ZONE = os.environ.get("MOTHERLINE_TIME_ZONE", "Asia/Phnom_Penh")
USE_TZ = True

STATIC_URL = "static/"
STATIC_ROOT = DATA_DIR / "static"
STATICFILES_DIRS = [BASE_DIR / "static"]
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "whitenoise.storage.CompressedStaticFilesStorage"},
}
WHITENOISE_USE_FINDERS = True

# --- Security: sign-in, sessions, HTTPS (docs/deployment.md) ---------------------------
# Production is assumed when debugging is off and a real secret key is set; the HTTPS
# defaults below follow it, so the local demo (plain HTTP, no key) still works.
_PRODUCTION = not DEBUG and "MOTHERLINE_SECRET_KEY" in os.environ

# argon2 first: new and changed passwords are hashed with it; older hashes still verify and
# are upgraded at the next sign-in.
PASSWORD_HASHERS = [
    "django.contrib.auth.hashers.Argon2PasswordHasher",
    "django.contrib.auth.hashers.PBKDF2PasswordHasher",
    "django.contrib.auth.hashers.PBKDF2SHA1PasswordHasher",
    "django.contrib.auth.hashers.ScryptPasswordHasher",
]
# django-axes counts failed sign-ins per account and address and refuses them once locked
# out; then the ceiling per address across usernames (password spraying), before any
# password is checked.
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "motherline.security.spraying.AddressCeilingBackend",
    "django.contrib.auth.backends.ModelBackend",
]
# Requests one API token may make in a minute (counted in Django's cache); then 429.
MOTHERLINE_TOKEN_RATE_PER_MINUTE = envint("MOTHERLINE_TOKEN_RATE_PER_MINUTE", 600)
AXES_FAILURE_LIMIT = envint("MOTHERLINE_LOGIN_FAILURE_LIMIT", 5)
AXES_COOLOFF_TIME = envint("MOTHERLINE_LOGIN_LOCKOUT_MINUTES", 15) / 60  # in hours
# Failed sign-ins from one address, whatever the usernames, within the window; beyond, every
# sign-in from it is refused (429) until the window ends (`security.spraying`).
MOTHERLINE_LOGIN_ADDRESS_LIMIT = envint("MOTHERLINE_LOGIN_ADDRESS_LIMIT", 50)
MOTHERLINE_LOGIN_ADDRESS_WINDOW_MINUTES = envint("MOTHERLINE_LOGIN_ADDRESS_WINDOW_MINUTES", 15)
# Per account and address: a typo-prone colleague on the same office network is not locked
# out by someone else's failures, and one address cannot try every account either.
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_RESET_ON_SUCCESS = True
AXES_LOCKOUT_CALLABLE = "motherline.accounts.views.locked_out"
AXES_VERBOSE = False
# The address recorded and throttled: the same function as the audit trail's, which reads
# X-Forwarded-For only behind MOTHERLINE_PROXY_COUNT trusted proxies.
AXES_CLIENT_IP_CALLABLE = "motherline.accounts.audit.client_ip"
MOTHERLINE_PROXY_COUNT = envint("MOTHERLINE_PROXY_COUNT", 0)

# Second factor (TOTP): "required" makes every role that sees names enrol and verify;
# "optional" lets users enrol (and then always asks them). Only the demo and tests should
# run with "optional"; a system check warns when production does.
MOTHERLINE_TWO_FACTOR = (
    os.environ.get("MOTHERLINE_TWO_FACTOR", "optional" if DEBUG else "required").strip().lower()
)
OTP_TOTP_ISSUER = os.environ.get("MOTHERLINE_TOTP_ISSUER", "Motherline")

# A session ends after this much inactivity: every request renews it.
SESSION_COOKIE_AGE = envint("MOTHERLINE_SESSION_IDLE_MINUTES", 30) * 60
SESSION_SAVE_EVERY_REQUEST = True
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
SESSION_COOKIE_SECURE = envbool("MOTHERLINE_SECURE_COOKIES", _PRODUCTION)
CSRF_COOKIE_SECURE = SESSION_COOKIE_SECURE
SECURE_SSL_REDIRECT = envbool("MOTHERLINE_SECURE_SSL_REDIRECT", _PRODUCTION)
SECURE_HSTS_SECONDS = envint("MOTHERLINE_HSTS_SECONDS", 31536000 if _PRODUCTION else 0)
SECURE_HSTS_INCLUDE_SUBDOMAINS = envbool("MOTHERLINE_HSTS_INCLUDE_SUBDOMAINS", _PRODUCTION)
SECURE_HSTS_PRELOAD = envbool("MOTHERLINE_HSTS_PRELOAD", _PRODUCTION)
if envbool("MOTHERLINE_BEHIND_PROXY"):
    # The proxy terminates HTTPS and says so in this header (it must overwrite, not pass on,
    # a client's own X-Forwarded-Proto).
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
X_FRAME_OPTIONS = "DENY"
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"

EMAIL_BACKEND = os.environ.get(
    "MOTHERLINE_EMAIL_BACKEND", "django.core.mail.backends.console.EmailBackend"
)

# The jurisdiction used where none is known (a user without an organisation, the demo); when
# unset, the shipped pack marked `default = true` (`jurisdictions.local.default_code`).
MOTHERLINE_DEFAULT_JURISDICTION = os.environ.get("MOTHERLINE_JURISDICTION", "").strip().upper()
MOTHERLINE_PAGE_SIZE = envint("MOTHERLINE_PAGE_SIZE", 50)

# Encryption at rest, backups and retention (docs/security.md). Without MOTHERLINE_FIELD_KEY
# a development key is generated into DATA_DIR/field.key and `check --deploy` warns.
FIELD_KEY = os.environ.get("MOTHERLINE_FIELD_KEY", "")
FIELD_KEY_PREVIOUS = envlist("MOTHERLINE_FIELD_KEY_PREVIOUS")
BACKUP_KEY = os.environ.get("MOTHERLINE_BACKUP_KEY", "")  # default: derived from the field key
MEDIA_ROOT = DATA_DIR / "media"  # uploaded files, included in backups
# Uploaded files are kept in memory (never in a plain temporary file) and refused above this.
MOTHERLINE_DOCUMENT_MAX_BYTES = envint("MOTHERLINE_DOCUMENT_MAX_BYTES", 10 * 1024 * 1024)
FILE_UPLOAD_HANDLERS = ["motherline.vault.uploads.BoundedMemoryUploadHandler"]
# How long the author of a case note may still correct it; later, a correction is a new note.
MOTHERLINE_NOTE_CORRECTION_HOURS = envint("MOTHERLINE_NOTE_CORRECTION_HOURS", 24)
# How many years after her last release a woman's identifying data is kept; unset (0): the
# `retention_years` of her jurisdiction's pack.
MOTHERLINE_RETENTION_YEARS = envint_at_least("MOTHERLINE_RETENTION_YEARS", 0, 1)

# The audit trail (docs/security.md): a list page's event names at most this many references;
# this many refused record lookups by one account within these minutes alert administrators.
MOTHERLINE_AUDIT_LIST_LIMIT = envint("MOTHERLINE_AUDIT_LIST_LIMIT", 200)
MOTHERLINE_REFUSAL_ALERT_COUNT = envint("MOTHERLINE_REFUSAL_ALERT_COUNT", 20)
MOTHERLINE_REFUSAL_ALERT_MINUTES = envint("MOTHERLINE_REFUSAL_ALERT_MINUTES", 10)
# What a request and an imported file may hold (`motherline.uploads`, docs/security.md,
# "Hostile files"). A larger request is answered 413 before its body is read; a file past a
# limit is refused (422 on the API, a message on the form) and nothing is written.
MOTHERLINE_IMPORT_MAX_BYTES = envint("MOTHERLINE_IMPORT_MAX_BYTES", 10 << 20)
MOTHERLINE_REQUEST_MAX_BYTES = envint(
    "MOTHERLINE_REQUEST_MAX_BYTES", MOTHERLINE_IMPORT_MAX_BYTES + (1 << 20)
)
MOTHERLINE_IMPORT_MAX_UNZIPPED_BYTES = envint("MOTHERLINE_IMPORT_MAX_UNZIPPED_BYTES", 30 << 20)
MOTHERLINE_IMPORT_MAX_COMPRESSION_RATIO = envint("MOTHERLINE_IMPORT_MAX_COMPRESSION_RATIO", 100)
MOTHERLINE_IMPORT_MAX_ZIP_ENTRIES = envint("MOTHERLINE_IMPORT_MAX_ZIP_ENTRIES", 200)
MOTHERLINE_IMPORT_MAX_ROWS = envint("MOTHERLINE_IMPORT_MAX_ROWS", 20_000)
# Rows times columns (and an XLSX workbook's distinct texts): what bounds the time a file
# takes to parse (openpyxl: about 40 µs of CPU a cell; 10,000 rows of 12 columns, 5 s).
MOTHERLINE_IMPORT_MAX_CELLS = envint("MOTHERLINE_IMPORT_MAX_CELLS", 120_000)
MOTHERLINE_IMPORT_MAX_COLUMNS = envint("MOTHERLINE_IMPORT_MAX_COLUMNS", 200)
# As much as one spreadsheet cell holds.
MOTHERLINE_IMPORT_MAX_CELL_CHARS = envint("MOTHERLINE_IMPORT_MAX_CELL_CHARS", 32_767)
# Django's own: a body other than a file (JSON, a form's fields), and the size above which an
# uploaded file goes to a temporary file on disk instead of memory.
DATA_UPLOAD_MAX_MEMORY_SIZE = envint("MOTHERLINE_DATA_UPLOAD_MAX_BYTES", 2_621_440)
FILE_UPLOAD_MAX_MEMORY_SIZE = envint("MOTHERLINE_FILE_UPLOAD_MAX_MEMORY_BYTES", 2_621_440)
# --- The daily jobs (docs/deployment.md: "The daily jobs") ------------------------------
# Full links in e-mail: the address users open Motherline at.
MOTHERLINE_SITE_URL = site_url("MOTHERLINE_SITE_URL")
# Scheduled encrypted backups: where, and how many of them are kept.
MOTHERLINE_BACKUP_DIR = Path(
    os.environ.get("MOTHERLINE_BACKUP_DIR", "") or DATA_DIR / "backups"
).resolve()
MOTHERLINE_BACKUP_KEEP = envint_at_least("MOTHERLINE_BACKUP_KEEP", 7, 1)
# Retention is reported to administrators; it is applied only where the deployment says so.
MOTHERLINE_RETENTION_APPLY = envbool("MOTHERLINE_RETENTION_APPLY")
# When each job runs, in TIME_ZONE (crontab fields).
MOTHERLINE_SCHEDULE = {
    "alert_digests": cron("MOTHERLINE_SCHEDULE_ALERT_DIGESTS", "0 6 * * *"),
    "backup": cron("MOTHERLINE_SCHEDULE_BACKUP", "30 1 * * *"),
    "retention": cron("MOTHERLINE_SCHEDULE_RETENTION", "0 3 * * *"),
    "maintenance": cron("MOTHERLINE_SCHEDULE_MAINTENANCE", "30 3 * * *"),
}
# Who runs a job the scheduler starts: "immediate" (in the scheduler's own process, no
# extra server), "database" (queued in the database; `motherline db_worker` runs them) or
# "redis" (queued in Redis at MOTHERLINE_REDIS_URL; `motherline rqworker` runs them; needs
# `pip install "motherline[redis]"`).
_TASK_BACKENDS = {
    "immediate": "django_tasks.backends.immediate.ImmediateBackend",
    "database": "django_tasks_db.DatabaseBackend",
    "redis": "django_tasks_rq.RQBackend",
}
_tasks_backend = os.environ.get("MOTHERLINE_TASKS_BACKEND", "immediate").strip().lower()
if _tasks_backend not in _TASK_BACKENDS:
    raise ImproperlyConfigured(
        f"MOTHERLINE_TASKS_BACKEND must be one of {', '.join(_TASK_BACKENDS)}, "
        f"not {_tasks_backend!r}."
    )
TASKS = {"default": {"BACKEND": _TASK_BACKENDS[_tasks_backend]}}
if _tasks_backend == "redis":
    INSTALLED_APPS.append("django_rq")
    RQ_QUEUES = {
        "default": {"URL": os.environ.get("MOTHERLINE_REDIS_URL", "redis://127.0.0.1:6379/0")}
    }

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": os.environ.get("MOTHERLINE_LOG_LEVEL", "INFO")},
    # django-axes logs every successful sign-in at INFO, WeasyPrint and fontTools every step
    # of a PDF; their warnings (lockouts, missing fonts) still show.
    "loggers": {
        "axes": {"level": "WARNING"},
        "weasyprint": {"level": "WARNING"},
        "fontTools": {"level": "WARNING"},
    },
}

# Published statistics hide counts of pregnant women and children below this many persons.
STATS_SMALL_CELL_THRESHOLD = envint("MOTHERLINE_SMALL_CELL_THRESHOLD", 5)
