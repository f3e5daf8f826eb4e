"""Test settings: the real settings, with throwaway keys and fast password hashing."""

from __future__ import annotations

import os

from cryptography.fernet import Fernet

os.environ["DJANGO_READ_DOT_ENV_FILE"] = "0"
os.environ.setdefault("DEBUG", "0")
os.environ.setdefault("HTTPS", "0")
os.environ.setdefault("SECRET_KEY", "test-" + Fernet.generate_key().decode())
os.environ.setdefault("FIELD_ENCRYPTION_KEY", Fernet.generate_key().decode())
os.environ.setdefault("ALLOWED_HOSTS", "testserver,localhost,127.0.0.1")
# Required with DEBUG off; subprocesses of the tests (the killed-worker test) inherit it.
os.environ.setdefault("SITE_URL", "http://127.0.0.1:8000")
# The two-factor tests turn it on; elsewhere tests sign in with force_login.
os.environ.setdefault("TWO_FACTOR_REQUIRED", "0")

from traffick_cm.settings import *

PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
STORAGES["staticfiles"] = {
    "BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage",
}
MEDIA_ROOT = BASE_DIR / "var" / "test-private"
WHITENOISE_USE_FINDERS = True
WHITENOISE_AUTOREFRESH = True
os.makedirs(STATIC_ROOT, exist_ok=True)
# Unit tests run tasks in-process even when CI configures the real Redis broker (the health
# check and the killed-worker test use that broker directly).
CELERY_TASK_ALWAYS_EAGER = True
