from django.db import connection
from django.http import HttpResponse, JsonResponse
from django.views.decorators.csrf import csrf_exempt

from llm_server.errors import method_not_allowed

COMPACT = {"separators": (",", ":")}
HEALTH_PATHS = frozenset({"/_health", "/_health/"})


@csrf_exempt
def health(request) -> HttpResponse:
    """200 when the database answers a query, 503 otherwise (used by container health checks)."""
    if request.method not in ("GET", "HEAD"):
        return method_not_allowed(request.method, "GET, HEAD")
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
            cursor.fetchone()
    except Exception:
        return JsonResponse(
            {"status": "unavailable", "database": "unreachable"}, status=503, json_dumps_params=COMPACT
        )
    return JsonResponse({"status": "ok"}, json_dumps_params=COMPACT)


class HealthCheckMiddleware:
    """Answers `/_health` before anything reads the Host header.

    A container's health check calls 127.0.0.1, which is rarely among the public ALLOWED_HOSTS;
    host validation (and an HTTPS redirect) must not turn a healthy server into a failing check.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request) -> HttpResponse:
        if request.path_info in HEALTH_PATHS:
            return health(request)
        return self.get_response(request)
