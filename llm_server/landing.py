"""What a browser finds at `/`, and the protected-resource document 401s point clients at."""

from functools import lru_cache, wraps

from django.conf import settings
from django.http import HttpResponse, JsonResponse
from django.urls import URLPattern, URLResolver, get_resolver
from django.utils.html import format_html, format_html_join
from django.views.decorators.csrf import csrf_exempt

from llm_server.errors import method_not_allowed

LINKS = (
    ("docs", "/api/docs/", "API documentation (Swagger UI)"),
    ("schema", "/api/schema/", "OpenAPI schema"),
    ("admin", "/admin/", "Admin"),
    ("health", "/_health", "Health check"),
)
SAFE_METHODS = ("GET", "HEAD")


def safe_methods_only(view):
    """GET and HEAD; anything else is a 405 in the API's error envelope."""

    @wraps(view)
    def wrapped(request, *args, **kwargs):
        if request.method not in SAFE_METHODS:
            return method_not_allowed(request.method, ", ".join(SAFE_METHODS))
        return view(request, *args, **kwargs)

    return csrf_exempt(wrapped)


def site_base(request) -> str:
    return settings.SITE_URL or request.build_absolute_uri("/").rstrip("/")


@safe_methods_only
def landing(request) -> HttpResponse:
    """Points a person at the docs and the admin; a client asking for JSON gets the same links."""
    accept = request.headers.get("Accept", "")
    if "application/json" in accept and "text/html" not in accept:
        links = {name: href for name, href, _ in LINKS}
        return JsonResponse({"name": settings.SPECTACULAR_SETTINGS["TITLE"], "links": links})
    items = format_html_join(
        "\n", '<li><a href="{}">{}</a></li>', ((href, label) for _, href, label in LINKS)
    )
    page = format_html(
        "<!doctype html>\n<html lang=en><head><meta charset=utf-8><title>{title}</title></head>\n"
        "<body><h1>{title}</h1>\n<p>Every endpoint is under <code>/api/</code>; authenticate with "
        "<code>Authorization: Bearer phx_…</code>.</p>\n<ul>\n{items}\n</ul></body></html>\n",
        title=settings.SPECTACULAR_SETTINGS["TITLE"],
        items=items,
    )
    return HttpResponse(page)


def _walk(patterns):
    for pattern in patterns:
        if isinstance(pattern, URLResolver):
            yield from _walk(pattern.url_patterns)
        elif isinstance(pattern, URLPattern):
            yield pattern


@lru_cache(maxsize=1)
def served_scopes() -> list[str]:
    """`<object>:read` and `<object>:write` for every scope object a route of this server checks."""
    objects = set()
    for pattern in _walk(get_resolver().url_patterns):
        view_class = getattr(pattern.callback, "cls", None)
        scope_object = getattr(view_class, "scope_object", "")
        if scope_object:
            objects.add(scope_object)
    return [f"{name}:{access}" for name in sorted(objects) for access in ("read", "write")]


@safe_methods_only
def oauth_protected_resource(request) -> JsonResponse:
    """OAuth 2.0 Protected Resource Metadata (RFC 9728) for the `resource_metadata` of 401s.

    Personal API keys are bearer tokens issued in the admin or by `create_personal_api_key`; no
    authorization server issues them, so none is listed.
    """
    base = site_base(request)
    return JsonResponse(
        {
            "resource": base,
            "resource_name": settings.SPECTACULAR_SETTINGS["TITLE"],
            "resource_documentation": f"{base}/api/docs/",
            "bearer_methods_supported": ["header"],
            "scopes_supported": served_scopes(),
        }
    )
