"""Settings for Tiaojie, driven by environment variables.

SQLite by default so that `make demo` runs on a laptop; `DATABASE_URL=postgres://...` switches to PostgreSQL.
Outside development (`TIAOJIE_ENV` other than `development`/`test`) a SECRET_KEY must come from the environment.
"""

import ipaddress
import os
import tempfile
from pathlib import Path

import dj_database_url
from django.core.exceptions import ImproperlyConfigured

BASE_DIR = Path(__file__).resolve().parent.parent


def envbool(name: str, default: bool) -> bool:
    return os.environ.get(name, str(default)).strip().lower() in {"1", "true", "yes", "on"}


def envint(name: str, default: int) -> int:
    return int(os.environ.get(name, default))


# Fail closed: without TIAOJIE_ENV the settings are production ones (real keys required, DEBUG off).
# manage.py defaults to development for the local commands; wsgi/asgi do not.
ENVIRONMENT = os.environ.get("TIAOJIE_ENV", "production")
IS_DEV = ENVIRONMENT in {"development", "test"}

SECRET_KEY = os.environ.get("SECRET_KEY", "")
if not SECRET_KEY:
    if not IS_DEV:
        raise ImproperlyConfigured("SECRET_KEY must be set outside development")
    SECRET_KEY = "dev-only-insecure-key-do-not-use-in-production"  # noqa: S105

# Key for encrypting identity numbers at rest. Separate from SECRET_KEY so that rotating one does not
# lose the other; in development it is derived from SECRET_KEY.
FIELD_ENCRYPTION_KEY = os.environ.get("FIELD_ENCRYPTION_KEY", "")
if not FIELD_ENCRYPTION_KEY and not IS_DEV:
    raise ImproperlyConfigured("FIELD_ENCRYPTION_KEY must be set outside development")


def fernet_key_problem(key: str) -> str | None:
    """Why `key` is not a proper Fernet key (32 random bytes, url-safe base64: `Fernet.generate_key()`), or None."""
    import base64
    import binascii

    try:
        raw = base64.urlsafe_b64decode(key.encode("ascii"))
    except (binascii.Error, ValueError, UnicodeEncodeError):
        return "it is not url-safe base64"
    if len(raw) != 32:
        return f"it decodes to {len(raw)} bytes, not 32"
    if len(set(raw)) < 12:  # 32 random bytes have ~30 distinct values; "AAAA…=" or a repeated word has a few
        return "it is not random (too few distinct bytes)"
    return None


if FIELD_ENCRYPTION_KEY and not IS_DEV:
    if problem := fernet_key_problem(FIELD_ENCRYPTION_KEY):
        raise ImproperlyConfigured(
            f"FIELD_ENCRYPTION_KEY is not a proper key: {problem}. Generate one with "
            "python -c 'from cryptography.fernet import Fernet; print(Fernet.generate_key().decode())'"
        )
    if FIELD_ENCRYPTION_KEY == SECRET_KEY:
        raise ImproperlyConfigured("FIELD_ENCRYPTION_KEY must differ from SECRET_KEY")

DEBUG = envbool("DEBUG", IS_DEV and ENVIRONMENT != "test")
ALLOWED_HOSTS = [h for h in os.environ.get("ALLOWED_HOSTS", "127.0.0.1,localhost,testserver").split(",") if h]
CSRF_TRUSTED_ORIGINS = [o for o in os.environ.get("CSRF_TRUSTED_ORIGINS", "").split(",") if o]

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "django_htmx",
    "axes",
    "accounts",
    "registry",
    "workdays",
    "cases",
    "workbench",
    "console",
    "documents",
    "portal",
    "messaging",
    "insights",
    "supervision",
    "imports",
    "notifications",
    "referrals",
    "screening",
    "api",
    "triage",
    "search",
    "ledgers",
    "ledgers.rectification",
    "rest_framework",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "oauth2_provider",
    "huey.contrib.djhuey",
]
# The demo city and its seeder (`manage.py seed_demo`): development and tests only. The product never imports it
# (tests/test_one_door.py), so production runs without it.
if IS_DEV:
    INSTALLED_APPS.append("demo")

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    "axes.middleware.AxesMiddleware",
    "accounts.middleware.SecondFactorMiddleware",
    "accounts.middleware.PasswordChangeRequiredMiddleware",
]

ROOT_URLCONF = "tiaojie.urls"

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
                "accounts.context_processors.navigation",
            ],
        },
    },
]

WSGI_APPLICATION = "tiaojie.wsgi.application"

DATABASES = {
    "default": dj_database_url.config(
        default=f"sqlite:///{os.environ.get('SQLITE_PATH', BASE_DIR / 'var' / 'tiaojie.sqlite3')}",
        conn_max_age=envint("CONN_MAX_AGE", 0),
    )
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # Wait for the write lock instead of failing at once under concurrent registration.
    DATABASES["default"].setdefault("OPTIONS", {})["timeout"] = 20
    DATABASES["default"]["OPTIONS"]["transaction_mode"] = "IMMEDIATE"
    # A file, not Django's shared in-memory test DB: threads (concurrent numbering) and the live server for
    # browser tests each open their own connection. One file per process so parallel runs never collide.
    DATABASES["default"]["TEST"] = {"NAME": os.path.join(tempfile.gettempdir(), f"tiaojie-test-{os.getpid()}.sqlite3")}

AUTH_USER_MODEL = "accounts.User"
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
]
# 等保 level 3 (GB/T 22239-2019 8.1.4.1 a): passwords of sufficient complexity. accounts.passwords says how.
PASSWORD_MIN_LENGTH = envint("PASSWORD_MIN_LENGTH", 10)
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {
        "NAME": "accounts.passwords.MinimumLengthValidator",
        "OPTIONS": {"min_length": PASSWORD_MIN_LENGTH},
    },
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
    {"NAME": "accounts.passwords.ComplexityValidator", "OPTIONS": {"min_classes": 3}},
]
if ENVIRONMENT == "test":
    PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]

LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "home"
LOGOUT_REDIRECT_URL = "login"

# Login throttling (django-axes): lock a username+IP pair after repeated failures.
AXES_FAILURE_LIMIT = envint("AXES_FAILURE_LIMIT", 5)
AXES_COOLOFF_TIME = envint("AXES_COOLOFF_MINUTES", 15) / 60  # hours
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
# The same client address as every other limit (accounts.clientip): behind the proxy, the real client's.
AXES_CLIENT_IP_CALLABLE = "accounts.clientip.client_ip"
AXES_LOCKOUT_TEMPLATE = "registration/locked_out.html"
AXES_RESET_ON_SUCCESS = True
AXES_ENABLED = envbool("AXES_ENABLED", True)

# Reverse proxies we run (addresses or CIDR networks, comma-separated). Only a request whose peer is one of them has
# its TRUSTED_PROXY_HEADER read (right-most address that is not ours); with none, REMOTE_ADDR is the client.
TRUSTED_PROXIES = [p.strip() for p in os.environ.get("TRUSTED_PROXIES", "").split(",") if p.strip()]
TRUSTED_PROXY_HEADER = os.environ.get("TRUSTED_PROXY_HEADER", "X-Forwarded-For")
for _proxy in TRUSTED_PROXIES:
    try:
        ipaddress.ip_network(_proxy, strict=False)
    except ValueError:
        raise ImproperlyConfigured(f"TRUSTED_PROXIES: {_proxy!r} is not an address or network") from None

# Second factor (TOTP, accounts.totp): roles that must enrol and verify a code after the password. Production
# default: county and city administrators (who can export a whole city's personal data); off in development and
# tests unless set. An empty value (TOTP_REQUIRED_ROLES=) switches it off; any staff user may still enrol.
TOTP_REQUIRED_ROLES = [
    r.strip()
    for r in os.environ.get("TOTP_REQUIRED_ROLES", "" if IS_DEV else "COUNTY_ADMIN,CITY_ADMIN").split(",")
    if r.strip()
]
TOTP_ISSUER = os.environ.get("TOTP_ISSUER", "人民调解平台")

LANGUAGE_CODE = "zh-hans"
LANGUAGES = [("zh-hans", "简体中文")]
LOCALE_PATHS = [BASE_DIR / "locale"]
TIME_ZONE = "Asia/Shanghai"
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
STATICFILES_DIRS = [BASE_DIR / "static"]
STATIC_ROOT = BASE_DIR / "var" / "staticfiles"
# Uploaded evidence and message files: outside the web root, never served by the static/media handler; they are
# streamed by views that check the case scope first. Tests point it at a temporary directory.
PRIVATE_FILES_ROOT = Path(os.environ.get("PRIVATE_FILES_ROOT", BASE_DIR / "var" / "private"))
FILE_UPLOAD_MAX_MEMORY_SIZE = 2_621_440
DATA_UPLOAD_MAX_MEMORY_SIZE = 12_582_912
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "whitenoise.storage.CompressedStaticFilesStorage"},
}
if IS_DEV:
    WHITENOISE_USE_FINDERS = True
    WHITENOISE_AUTOREFRESH = DEBUG

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SECURE = not IS_DEV
CSRF_COOKIE_SECURE = not IS_DEV
SESSION_COOKIE_AGE = envint("SESSION_COOKIE_AGE", 8 * 3600)
X_FRAME_OPTIONS = "DENY"
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"

# Domain configuration (mediation-domain.md §9, §7): local rules are configuration, not code.
TIAOJIE = {
    "MEDIATION_PERIOD_MONTHS": envint("MEDIATION_PERIOD_MONTHS", 1),
    "EXTENSION_MAX_DAYS": envint("EXTENSION_MAX_DAYS", 30),
    "JC_APPLY_DAYS": envint("JC_APPLY_DAYS", 30),
    "CASE_NUMBER_FORMAT": os.environ.get("CASE_NUMBER_FORMAT", "（{year}）{short}人调字第{seq}号"),
    "DOSSIER_CHECKLIST": BASE_DIR / "data" / "dossier_checklist.json",
    # Supervision: entry discipline (deadline, thresholds of the 录入情况通报) and the 卷宗评查 checklist.
    "ENTRY_RULES": BASE_DIR / "data" / "entry_rules.json",
    "SPOT_CHECK_CHECKLIST": BASE_DIR / "data" / "spot_check_checklist.json",
    # Deadline reminders, overdue marking and automatic termination per jurisdiction (cases.deadline_rules).
    "DEADLINE_RULES": BASE_DIR / "data" / "deadline_rules.json",
    # Uploads (evidence, message attachments): the largest accepted file, in bytes.
    "UPLOAD_MAX_BYTES": envint("UPLOAD_MAX_BYTES", 10 * 1024 * 1024),
    # Images: the most pixels an upload may decode to (a 17 KB PNG can announce 12000×12000), and the longest side
    # of the JPEG renditions served inline (thread thumbnails, the view size opened from them).
    "UPLOAD_MAX_PIXELS": envint("UPLOAD_MAX_PIXELS", 40_000_000),
    "THUMBNAIL_PX": envint("THUMBNAIL_PX", 320),
    "IMAGE_VIEW_PX": envint("IMAGE_VIEW_PX", 1600),
    # PDFs: more indirect objects than this are not inspected (refused as too complex).
    "PDF_MAX_OBJECTS": envint("PDF_MAX_OBJECTS", 50_000),
    # .xlsx (a ZIP): declared uncompressed size of a worksheet (or the shared strings), of any other XML part, of
    # all members together, and the inflation ratio allowed for members above 1 MB.
    "XLSX_MAX_MEMBER_BYTES": envint("XLSX_MAX_MEMBER_BYTES", 32 * 1024 * 1024),
    "XLSX_MAX_PART_BYTES": envint("XLSX_MAX_PART_BYTES", 8 * 1024 * 1024),
    "XLSX_MAX_TOTAL_BYTES": envint("XLSX_MAX_TOTAL_BYTES", 64 * 1024 * 1024),
    "XLSX_MAX_RATIO": envint("XLSX_MAX_RATIO", 100),
    # Legacy import through the pages: rows with content and columns staged in one request, characters per cell
    # (the management command reads trusted files without the row and column caps).
    "IMPORT_MAX_ROWS": envint("IMPORT_MAX_ROWS", 2000),
    "IMPORT_MAX_COLUMNS": envint("IMPORT_MAX_COLUMNS", 100),
    "IMPORT_MAX_CELL_CHARS": envint("IMPORT_MAX_CELL_CHARS", 2000),
    "IMPORT_MAX_CELLS": envint("IMPORT_MAX_CELLS", 80_000),
    # Party portal: SMS verification codes and online applications (portal.limits reads these).
    "SMS_CODE_TTL_SECONDS": envint("SMS_CODE_TTL_SECONDS", 300),
    "SMS_CODE_MAX_ATTEMPTS": envint("SMS_CODE_MAX_ATTEMPTS", 5),
    "SMS_CODE_INTERVAL_SECONDS": envint("SMS_CODE_INTERVAL_SECONDS", 60),
    "SMS_CODES_PER_PHONE_PER_DAY": envint("SMS_CODES_PER_PHONE_PER_DAY", 10),
    "SMS_CODES_PER_IP_PER_HOUR": envint("SMS_CODES_PER_IP_PER_HOUR", 20),
    # docs/adr/0004-sms-throttle.md: one address may ask for one number's code only so often a day, and addresses
    # the number signed in from in the last N days are not held back by SMS_CODES_PER_PHONE_PER_DAY.
    "SMS_CODES_PER_PHONE_PER_ADDRESS_PER_DAY": envint("SMS_CODES_PER_PHONE_PER_ADDRESS_PER_DAY", 5),
    "SMS_KNOWN_ADDRESS_DAYS": envint("SMS_KNOWN_ADDRESS_DAYS", 90),
    "APPLICATIONS_PER_ACCOUNT_PER_DAY": envint("APPLICATIONS_PER_ACCOUNT_PER_DAY", 3),
    "APPLICATIONS_PER_IP_PER_DAY": envint("APPLICATIONS_PER_IP_PER_DAY", 10),
    # Invitations of the other party (SMS with a link and a code): validity and resending caps.
    "INVITATION_TTL_DAYS": envint("INVITATION_TTL_DAYS", 14),
    "INVITATIONS_PER_PARTY_PER_DAY": envint("INVITATIONS_PER_PARTY_PER_DAY", 3),
    "INVITATIONS_PER_CASE_PER_DAY": envint("INVITATIONS_PER_CASE_PER_DAY", 6),
    "JOIN_FAILURES_PER_HOUR": envint("JOIN_FAILURES_PER_HOUR", 10),
    # Evidence uploads with an online application: files per draft (removed ones count) and bytes per account/day.
    "EVIDENCE_FILES_PER_DRAFT": envint("EVIDENCE_FILES_PER_DRAFT", 40),
    "EVIDENCE_BYTES_PER_ACCOUNT_PER_DAY": envint("EVIDENCE_BYTES_PER_ACCOUNT_PER_DAY", 100 * 1024 * 1024),
    # The outbox: seconds to wait before the 2nd, 3rd, … try of a failed delivery; after the last, FAILED.
    "OUTBOX_BACKOFF_SECONDS": [60, 300, 1800, 7200],
    # A worker's claim on a message while it talks to the gateway: after this long a claim of a worker that died
    # lapses and the message is due again (longer than any gateway timeout, so that no message goes out twice).
    "OUTBOX_LEASE_SECONDS": envint("OUTBOX_LEASE_SECONDS", 300),
    # Referrals (issue 11): the clocks of each channel (court, police, petition, 12345, other departments) and the
    # supervision table of yellow and red thresholds per level × dispute type × stage.
    "REFERRAL_CHANNELS": BASE_DIR / "data" / "referral_channels.json",
    "REFERRAL_TIME_LIMITS": BASE_DIR / "data" / "referral_time_limits.json",
    # Webhooks (Standard Webhooks): seconds before each retry (about three days in all), request timeout.
    "WEBHOOK_BACKOFF_SECONDS": [5, 300, 1800, 7200, 18000, 36000, 50400, 72000, 86400],
    "WEBHOOK_TIMEOUT_SECONDS": envint("WEBHOOK_TIMEOUT_SECONDS", 15),
    # Only https endpoints outside development (a local receiver over http is allowed in development and tests).
    "WEBHOOK_REQUIRE_HTTPS": envbool("WEBHOOK_REQUIRE_HTTPS", not IS_DEV),
    # Idempotency keys are kept this long (hours).
    "IDEMPOTENCY_TTL_HOURS": envint("IDEMPOTENCY_TTL_HOURS", 24),
    # Which kinds of notice each role receives, which go out by SMS by default, which supervisors hear of what.
    "NOTICE_RULES": BASE_DIR / "data" / "notice_rules.json",
}
# Background work (DESIGN.md): huey, with its queue in a SQLite file beside the database by default so that
# `make demo` needs nothing but the venv, and in Redis when REDIS_URL is set. Tests run tasks immediately.
REDIS_URL = os.environ.get("REDIS_URL", "")
HUEY_IMMEDIATE = envbool("HUEY_IMMEDIATE", ENVIRONMENT == "test")
if HUEY_IMMEDIATE:
    # Tests: a task runs the moment it is enqueued (after the action's commit), in the test's own process.
    HUEY = {"huey_class": "huey.MemoryHuey", "name": "tiaojie", "immediate": True}
elif REDIS_URL:
    HUEY = {"huey_class": "huey.RedisHuey", "name": "tiaojie", "url": REDIS_URL, "immediate": HUEY_IMMEDIATE}
else:
    (BASE_DIR / "var").mkdir(exist_ok=True)
    HUEY = {
        "huey_class": "huey.SqliteHuey",
        "name": "tiaojie",
        "filename": os.environ.get("HUEY_SQLITE_PATH", str(BASE_DIR / "var" / "huey.sqlite3")),
        "immediate": HUEY_IMMEDIATE,
    }
HUEY["consumer"] = {"workers": envint("HUEY_WORKERS", 2), "worker_type": "thread", "periodic": True}

# Where SMS go (verification codes, notices to parties): a dotted path to a class with send(phone, text).
# In development and tests they are written to the console/log; in production the gateway must be named, so that
# verification codes never end up in a log by default.
SMS_BACKEND = os.environ.get("SMS_BACKEND", "portal.sms.ConsoleBackend" if IS_DEV else "")
if not SMS_BACKEND:
    raise ImproperlyConfigured("SMS_BACKEND must be set outside development (the class of the SMS gateway)")
if not IS_DEV and "console" in SMS_BACKEND.rsplit(".", 1)[-1].lower():
    # The console backend writes every verification code to the log: anyone who reads the log can sign in.
    raise ImproperlyConfigured(f"SMS_BACKEND={SMS_BACKEND} writes codes to the log; name the SMS gateway in production")

# The API (/api/v1/, issue 11): institutions authenticate with OAuth2 client credentials (django-oauth-toolkit);
# every view opts in to what it allows (deny by default); errors are JSON with a Chinese message and a stable code.
REST_FRAMEWORK = {
    # A client-credentials token has no user: api.permissions maps its application to the ApiClient and acts as the
    # client's service account; HasScope denies any method a view does not name a scope for.
    "DEFAULT_AUTHENTICATION_CLASSES": ["api.permissions.ApiClientAuthentication"],
    "DEFAULT_PERMISSION_CLASSES": ["api.permissions.HasScope"],
    "DEFAULT_RENDERER_CLASSES": ["rest_framework.renderers.JSONRenderer"],
    "DEFAULT_PARSER_CLASSES": ["rest_framework.parsers.JSONParser", "rest_framework.parsers.MultiPartParser"],
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
    "EXCEPTION_HANDLER": "api.errors.exception_handler",
    "DEFAULT_THROTTLE_CLASSES": ["rest_framework.throttling.UserRateThrottle"],
    "DEFAULT_THROTTLE_RATES": {"user": os.environ.get("API_THROTTLE_RATE", "600/min")},
    "UNAUTHENTICATED_USER": None,
}
OAUTH2_PROVIDER = {
    "SCOPES": {
        "referrals:write": "移送纠纷、补充材料、撤回移送",
        "referrals:read": "查询本机构移送的纠纷及其进展",
        "outcomes:read": "获取调解结果、调解协议书和调解不成功报告",
        "triage:suggest": "提交纠纷描述，获取纠纷类型、风险与去向的智能分流建议",
    },
    "DEFAULT_SCOPES": ["referrals:read"],
    "ACCESS_TOKEN_EXPIRE_SECONDS": envint("API_TOKEN_TTL_SECONDS", 3600),
    "ALLOWED_GRANT_TYPES": ["client_credentials"],
    "PKCE_REQUIRED": False,
    # A client is granted only its ApiClient.allowed_scopes; a revoked client gets no token.
    "SCOPES_BACKEND_CLASS": "api.permissions.ClientScopes",
    "OAUTH2_VALIDATOR_CLASS": "api.permissions.ClientValidator",
}
# django-oauth-toolkit's models, named here because its migrations refer to them as swappable settings.
OAUTH2_PROVIDER_APPLICATION_MODEL = "oauth2_provider.Application"
OAUTH2_PROVIDER_ACCESS_TOKEN_MODEL = "oauth2_provider.AccessToken"
OAUTH2_PROVIDER_ID_TOKEN_MODEL = "oauth2_provider.IDToken"
OAUTH2_PROVIDER_GRANT_MODEL = "oauth2_provider.Grant"
OAUTH2_PROVIDER_REFRESH_TOKEN_MODEL = "oauth2_provider.RefreshToken"
SPECTACULAR_SETTINGS = {
    "TITLE": "人民调解平台对接接口",
    "DESCRIPTION": "法院、公安、信访、12345 等机构向调解组织移送纠纷、接收进展与结果的接口（OAuth2 客户端凭证）。",
    "VERSION": "1.0.0",
    "SERVE_INCLUDE_SCHEMA": False,
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
    "SCHEMA_PATH_PREFIX": "/api/v1",
    "COMPONENT_SPLIT_REQUEST": True,
    # issue 11 (h-api): the access rules and the webhook event types appended to the description (api.schema).
    "POSTPROCESSING_HOOKS": ["drf_spectacular.hooks.postprocess_schema_enums", "api.schema.add_intro"],
    "ENUM_GENERATE_CHOICE_DESCRIPTION": True,
}

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": os.environ.get("LOG_LEVEL", "WARNING")},
}
CSRF_FAILURE_VIEW = "accounts.views.csrf_failure"
