from django.db import connection
from django.http import HttpResponse, JsonResponse
from django.views.decorators.csrf import csrf_exempt

from llm_server.errors import envelope

COMPACT = {"separators": (",", ":")}


@csrf_exempt
def health(request) -> HttpResponse:
    """200 when the database answers a query, 503 otherwise (used by container health checks)."""
    if request.method not in ("GET", "HEAD"):
        response = envelope(
            405, "invalid_request", "method_not_allowed", f'Method "{request.method}" not allowed.'
        )
        response["Allow"] = "GET, HEAD"
        return response
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
            cursor.fetchone()
    except Exception:
        return JsonResponse(
            {"status": "unavailable", "database": "unreachable"}, status=503, json_dumps_params=COMPACT
        )
    return JsonResponse({"status": "ok"}, json_dumps_params=COMPACT)
