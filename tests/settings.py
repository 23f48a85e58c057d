"""Test settings: the real settings plus a tiny internal resource used by the platform tests."""

from llm_server.settings import *  # noqa: F403
from llm_server.settings import INSTALLED_APPS

INSTALLED_APPS = [*INSTALLED_APPS, "tests.fixtures_app"]
ROOT_URLCONF = "tests.urls"
PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
ALLOWED_HOSTS = ["*"]
CACHES = {
    "default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"},
    "payloads": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache", "LOCATION": "payloads"},
}

# Live-server threads must not keep connections open, or the test database cannot be dropped.
DATABASES["default"]["CONN_MAX_AGE"] = 0  # noqa: F405

# Each test client loads the middleware anew, and WhiteNoise would then index every app's static
# folder through the finders (tens of milliseconds per test). Look static files up per request
# instead, as in development; they are still served from the finders.
WHITENOISE_AUTOREFRESH = True
