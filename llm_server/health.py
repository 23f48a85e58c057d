from django.db import connection
from django.http import JsonResponse
from django.views.decorators.http import require_GET

COMPACT = {"separators": (",", ":")}


@require_GET
def health(request) -> JsonResponse:
    """200 when the database answers a query, 503 otherwise (used by container health checks)."""
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
            cursor.fetchone()
    except Exception:
        return JsonResponse({"status": "unavailable", "database": "unreachable"}, status=503, json_dumps_params=COMPACT)
    return JsonResponse({"status": "ok"}, json_dumps_params=COMPACT)
