"""OpenAPI: the personal-key security scheme and each operation's required scope."""

from drf_spectacular.extensions import OpenApiAuthenticationExtension
from drf_spectacular.openapi import AutoSchema
from rest_framework.test import APIRequestFactory

from llm_server.permissions import scopes_for_request


class ScopedAutoSchema(AutoSchema):
    """Adds `x-required-scopes` and a sentence naming them to every operation."""

    def get_operation(self, path, path_regex, path_prefix, method, registry):
        operation = super().get_operation(path, path_regex, path_prefix, method, registry)
        if operation is None:
            return None
        scopes = self._required_scopes(method)
        if scopes is not None:
            operation["x-required-scopes"] = scopes
            note = (
                f"Required personal API key scope: `{'`, `'.join(scopes)}`."
                if scopes
                else "Not available to personal API keys."
            )
            description = operation.get("description", "")
            operation["description"] = f"{description}\n\n{note}".strip()
        return operation

    def _required_scopes(self, method: str) -> list[str] | None:
        if not getattr(self.view, "scope_object", None):
            return None
        request = APIRequestFactory().generic(method, "/")
        found = scopes_for_request(self.view, request)
        return found or []


class PersonalAPIKeyScheme(OpenApiAuthenticationExtension):
    target_class = "llm_server.authentication.PersonalAPIKeyAuthentication"
    name = "PersonalAPIKeyAuth"

    def get_security_definition(self, auto_schema):
        return {
            "type": "http",
            "scheme": "bearer",
            "description": "A personal API key (`phx_...`) sent as `Authorization: Bearer <key>`.",
        }


class SessionScheme(OpenApiAuthenticationExtension):
    target_class = "llm_server.authentication.ApiSessionAuthentication"
    name = "SessionAuth"

    def get_security_definition(self, auto_schema):
        return {"type": "apiKey", "in": "cookie", "name": "sessionid"}
