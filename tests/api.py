"""HTTP helpers shared by the test suites: the bearer header, a signed client for one base path,
the renderings the API uses for timestamps and users, and the one set of error-envelope builders."""

from dataclasses import dataclass
from datetime import UTC
from typing import Any

from django.core.cache import caches
from rest_framework.test import APIClient

# A well-formed UUID that no row has (fixed, so parametrized ids are the same in every process).
UNKNOWN_UUID = "0d6c1f4e-9a3b-4c2d-8e7f-5a4b3c2d1e0f"


def bearer(key: str) -> dict[str, str]:
    return {"HTTP_AUTHORIZATION": f"Bearer {key}"}


def iso(value) -> str | None:
    """A timestamp as the API renders it: ISO-8601 UTC with a `Z` suffix (None stays None)."""
    if value is None:
        return None
    text = value.astimezone(UTC).isoformat()
    return text[: -len("+00:00")] + "Z" if text.endswith("+00:00") else text


def user_json(user) -> dict[str, Any] | None:
    if user is None:
        return None
    return {
        "id": user.id,
        "uuid": str(user.uuid),
        "distinct_id": user.distinct_id,
        "first_name": user.first_name,
        "last_name": user.last_name,
        "email": user.email,
        "is_email_verified": user.is_email_verified,
        "hedgehog_config": None,
        "role_at_organization": user.role_at_organization,
    }


# ---- error envelopes (`{type, code, detail, attr}`) ---------------------------------------------


def envelope(type_: str, code: str, detail: str, attr: str | None = None) -> dict[str, Any]:
    return {"type": type_, "code": code, "detail": detail, "attr": attr}


def validation(attr: str | None, code: str, detail: str) -> dict[str, Any]:
    return envelope("validation_error", code, detail, attr)


def not_authenticated() -> dict[str, Any]:
    return envelope(
        "authentication_error", "not_authenticated", "Authentication credentials were not provided."
    )


def authentication_failed(detail: str) -> dict[str, Any]:
    return envelope("authentication_error", "authentication_failed", detail)


def permission_denied(detail: str) -> dict[str, Any]:
    return envelope("authentication_error", "permission_denied", detail)


def missing_scope(scope: str) -> dict[str, Any]:
    return permission_denied(f"API key missing required scope '{scope}'")


def not_found(detail: str = "Not found.") -> dict[str, Any]:
    return envelope("invalid_request", "not_found", detail)


def method_not_allowed(method: str) -> dict[str, Any]:
    return envelope("invalid_request", "method_not_allowed", f'Method "{method.upper()}" not allowed.')


def server_error() -> dict[str, Any]:
    return envelope("server_error", "error", "A server error occurred.")


@dataclass
class ResourceApi:
    """Requests against one resource's base path, signed with one key (`key=""`: unsigned)."""

    client: APIClient
    base: str
    key: str

    def url(self, path: str = "") -> str:
        return f"{self.base}/{path}" if path else f"{self.base}/"

    def _headers(self, key: str | None) -> dict[str, str]:
        chosen = self.key if key is None else key
        return bearer(chosen) if chosen else {}

    def get(self, path: str = "", data: dict | None = None, *, key: str | None = None):
        return self.client.get(self.url(path), data, **self._headers(key))

    def post(self, path: str = "", data: Any = None, *, key: str | None = None, fmt: str = "json"):
        return self.client.post(self.url(path), data, format=fmt, **self._headers(key))

    def patch(self, path: str, data: Any = None, *, key: str | None = None):
        return self.client.patch(self.url(path), data, format="json", **self._headers(key))

    def put(self, path: str, data: Any = None, *, key: str | None = None):
        return self.client.put(self.url(path), data, format="json", **self._headers(key))

    def delete(self, path: str = "", *, key: str | None = None):
        return self.client.delete(self.url(path), **self._headers(key))


def active_versions(model, team, name: str) -> list:
    """A versioned record's active rows of one name, oldest version first."""
    return list(model.objects.filter(team=team, name=name, deleted=False).order_by("version"))


def version_history_state(model, team, name: str) -> list[tuple[int, bool, bool]]:
    """(version, is_latest, deleted) of every row of the name, archived ones included."""
    return list(
        model.objects.filter(team=team, name=name)
        .order_by("deleted", "version", "created_at")
        .values_list("version", "is_latest", "deleted")
    )


def clear_caches() -> None:
    """Every cache alias (the default one and the payload cache), as a fresh worker sees them."""
    for alias in caches:
        caches[alias].clear()
