"""OpenAPI: the personal-key security scheme and each operation's required scope."""

from drf_spectacular.extensions import OpenApiAuthenticationExtension, OpenApiSerializerFieldExtension
from drf_spectacular.openapi import AutoSchema
from drf_spectacular.plumbing import ResolvedComponent
from rest_framework.test import APIRequestFactory

from llm_server.permissions import scopes_for_request

ERROR_ENVELOPE_SCHEMA = {
    "type": "object",
    "description": "Error envelope (type, code, detail, attr). Some prompt routes answer 404/409 with "
    "a plain `detail` body instead.",
    "properties": {
        "type": {"type": "string"},
        "code": {"type": "string"},
        "detail": {"type": "string"},
        "attr": {"type": "string", "nullable": True},
    },
    "required": ["detail"],
}


class ScopedAutoSchema(AutoSchema):
    """Adds `x-required-scopes` and a sentence naming them to every operation."""

    def get_operation(self, path, path_regex, path_prefix, method, registry):
        operation = super().get_operation(path, path_regex, path_prefix, method, registry)
        if operation is None:
            return None
        self._add_error_responses(operation, method, registry)
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

    def resolve_serializer(self, serializer, direction, bypass_extensions=False):
        # COMPONENT_SPLIT_PATCH documents PATCH bodies partial; a body whose PATCH really requires
        # its fields (publish by name) opts out with `schema_partial_on_patch = False`.
        if getattr(serializer, "partial", False) and not getattr(serializer, "schema_partial_on_patch", True):
            serializer.partial = False
        return super().resolve_serializer(serializer, direction, bypass_extensions)

    def _add_error_responses(self, operation: dict, method: str, registry) -> None:
        """Every operation can fail with the envelope; document the statuses it can produce."""
        component = ResolvedComponent(
            name="ErrorEnvelope",
            type=ResolvedComponent.SCHEMA,
            object="ErrorEnvelope",
            schema=ERROR_ENVELOPE_SCHEMA,
        )
        registry.register_on_missing(component)
        responses = operation.setdefault("responses", {})
        statuses = {
            "401": "No credentials, or an invalid key.",
            "403": "The key lacks a scope, or the caller has no access to the project.",
            "404": "Unknown project or object.",
            "429": "Throttled (only when RATE_LIMIT_ENABLED is on).",
        }
        if method.upper() in ("POST", "PUT", "PATCH") or any(
            p.get("in") == "query" for p in operation.get("parameters", [])
        ):
            statuses["400"] = "Invalid input."
        for status_code, description in statuses.items():
            responses.setdefault(status_code, {"description": description})
        for status_code, response in responses.items():
            # Declared 4xx responses without a body shape get the envelope too.
            if status_code.startswith("4") and status_code != "405" and not response.get("content"):
                response["content"] = {"application/json": {"schema": component.ref}}

    def _required_scopes(self, method: str) -> list[str] | None:
        if not getattr(self.view, "scope_object", None):
            return None
        request = APIRequestFactory().generic(method, "/")
        found = scopes_for_request(self.view, request)
        return found or []


NON_NULL_JSON_SCHEMA = {
    "anyOf": [
        {"type": "object"},
        {"type": "array"},
        {"type": "string"},
        {"type": "number"},
        {"type": "boolean"},
    ],
    "description": "Any JSON value but null.",
}


class StorableJSONFieldExtension(OpenApiSerializerFieldExtension):
    """A JSON field without `allow_null` refuses null (400): document any JSON value but null."""

    target_class = "llm_server.serializers.StorableJSONField"
    match_subclasses = True

    def map_serializer_field(self, auto_schema, direction):
        if self.target.allow_null:
            return {}
        return dict(NON_NULL_JSON_SCHEMA)


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


ENVIRONMENTS_PATH_PREFIX = "/api/environments/"
HTTP_METHODS = ("get", "put", "post", "delete", "options", "head", "patch", "trace")


def list_projects_paths_first(result: dict, generator, request, public) -> dict:
    """Postprocessing hook: `/api/environments/` is a deprecated alias of `/api/projects/`, so its
    operations come after every other path and are marked `deprecated`."""
    paths = result.get("paths", {})
    aliases = {path: item for path, item in paths.items() if path.startswith(ENVIRONMENTS_PATH_PREFIX)}
    for path, item in aliases.items():
        successor = "/api/projects/" + path[len(ENVIRONMENTS_PATH_PREFIX) :]
        for method in HTTP_METHODS:
            if method in item:
                item[method]["deprecated"] = True
                item[method]["description"] = (
                    f"Deprecated alias of `{method.upper()} {successor}`; use that path. "
                    + item[method].get("description", "")
                ).strip()
    result["paths"] = {
        **{path: item for path, item in paths.items() if path not in aliases},
        **aliases,
    }
    return result
