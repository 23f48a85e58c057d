"""Personal API key authentication: `Authorization: Bearer phx_…`, a body field or `?personal_api_key=`."""

import json
import re
from datetime import timedelta
from urllib.parse import parse_qs

from django.conf import settings
from django.core.exceptions import RequestDataTooBig, TooManyFieldsSent, TooManyFilesSent
from django.utils import timezone
from rest_framework import authentication, exceptions
from rest_framework.request import Request

from llm_server import auth_cache
from llm_server.accounts.models import PersonalAPIKey, User, hash_key_value

# Scheme word case-insensitive (RFC 7235); the token must be at least two characters.
BEARER_PATTERN = re.compile(r"^\s*bearer\s+(\S{2,})\s*$", re.IGNORECASE)
LAST_USED_GRANULARITY = timedelta(hours=1)
FORM_CONTENT_TYPE = "application/x-www-form-urlencoded"
MULTIPART_CONTENT_TYPE = "multipart/form-data"
# The password hash stays out of the shared cache; an API request never reads it (it would load).
USER_COLUMNS_NOT_CACHED = frozenset({"password"})


def peek_body_field(request: Request, field: str, *, json_allowed: bool = True) -> str | None:
    """Reads one top-level field of a JSON, form or multipart body without consuming DRF's parse.

    Authentication runs before the view parses the body; going through `request.data` here would
    turn a malformed body into empty data and hide the parse error the client should get.
    """
    django_request = request._request
    if django_request.method in ("GET", "HEAD", "OPTIONS", "DELETE"):
        return None
    content_type = (django_request.content_type or "").lower()
    if content_type == MULTIPART_CONTENT_TYPE:
        # Django parses multipart once; DRF reuses that parse, so reading it here costs nothing.
        # Too large / too many fields propagate (413/400); a malformed body just holds no key.
        try:
            value = django_request.POST.get(field)
        except (RequestDataTooBig, TooManyFieldsSent, TooManyFilesSent):
            raise
        except Exception:
            return None
        return value if isinstance(value, str) and value else None
    is_json = json_allowed and content_type == "application/json"
    if not is_json and content_type != FORM_CONTENT_TYPE:
        return None
    try:
        length = int(django_request.META.get("CONTENT_LENGTH") or 0)
    except ValueError:
        return None
    if length <= 0 or length > settings.DATA_UPLOAD_MAX_MEMORY_SIZE:
        return None
    try:
        body = django_request.body
    except Exception:  # the body could not be read; leave it for the parser to report
        return None
    if is_json:
        try:
            data = json.loads(body)
        except (ValueError, RecursionError):
            # Malformed or absurdly deep: no key here; the body parser reports the problem.
            return None
        value = data.get(field) if isinstance(data, dict) else None
    else:
        values = parse_qs(body.decode("utf-8", errors="replace")).get(field)
        value = values[0] if values else None
    return value if isinstance(value, str) and value else None


class PersonalAPIKeyAuthentication(authentication.BaseAuthentication):
    """Finds the first key candidate (header, then body, then query) and only tries that one."""

    keyword = "Bearer"

    def find_key(self, request: Request) -> tuple[str, str] | None:
        header = request._request.META.get("HTTP_AUTHORIZATION", "")
        if header:
            match = BEARER_PATTERN.match(header)
            if match and not match.group(1).startswith("pha_"):
                return match.group(1), "Authorization header"
        body_key = peek_body_field(request, "personal_api_key")
        if body_key:
            return body_key, "body"
        query_key = request._request.GET.get("personal_api_key")
        if query_key:
            return query_key, "query string"
        return None

    def authenticate(self, request: Request):
        found = self.find_key(request)
        if found is None:
            return None
        raw_key, source = found
        key_hash = hash_key_value(raw_key)
        key = find_active_key(key_hash)
        if key is None:
            raise exceptions.AuthenticationFailed(f"Personal API key found in request {source} is invalid.")
        now = timezone.now()
        if key.last_used_at is None or now - key.last_used_at > LAST_USED_GRANULARITY:
            # One write per key per hour at most. The cached copy is replaced now (one read), so the
            # write is not repeated and the next request is served from the cache again.
            PersonalAPIKey.objects.filter(pk=key.pk).mark_used(now)
            auth_cache.forget(key_entry_name(key_hash))
            key = find_active_key(key_hash) or key
        return key.user, key

    def authenticate_header(self, request: Request) -> str:
        base = settings.SITE_URL or request._request.build_absolute_uri("/").rstrip("/")
        return f'Bearer resource_metadata="{base}/.well-known/oauth-protected-resource"'


class ApiSessionAuthentication(authentication.SessionAuthentication):
    """Session cookies for the admin and the browsable API; scopes do not apply to them."""


def key_entry_name(key_hash: str) -> str:
    return f"auth:key:{key_hash}"


def find_active_key(key_hash: str) -> PersonalAPIKey | None:
    """The key with this hash, if its user is active, with the user attached (cached)."""
    return auth_cache.cached(
        key_entry_name(key_hash),
        load=lambda: (
            PersonalAPIKey.objects.select_related("user")
            .filter(secure_value=key_hash, user__is_active=True)
            .first()
        ),
        dump=lambda key: {
            "key": auth_cache.model_row(key),
            "user": auth_cache.model_row(key.user, exclude=USER_COLUMNS_NOT_CACHED),
        },
        build=_key_from_entry,
        user_of=lambda key: key.user_id,
    )


def _key_from_entry(entry: dict) -> PersonalAPIKey:
    key = auth_cache.model_instance(PersonalAPIKey, entry["key"])
    key.user = auth_cache.model_instance(User, entry["user"])
    return key
