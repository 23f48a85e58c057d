"""SQL queries per request of each benchmark row, counted in-process (run by bench/load.py).

    python bench/queries.py requests.json

Run in the server's environment (same DATABASE_URL, cache and settings). For each request in the
file ({"key", "method", "path", "headers", "body"}) it sends one warm-up request with Django's
test client, then counts the queries of a second, identical one with CaptureQueriesContext. Prints
one JSON object: key -> {"queries": n, "status": code}.
"""

import json
import os
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "llm_server.settings")

import django  # noqa: E402

django.setup()

from django.db import connection  # noqa: E402
from django.test import Client  # noqa: E402
from django.test.utils import CaptureQueriesContext  # noqa: E402

HOST = "127.0.0.1"


def send(client: Client, request: dict):
    headers = request.get("headers") or {}
    if request["method"] == "POST":
        return client.post(
            request["path"], data=request["body"], content_type="application/json", headers=headers
        )
    return client.get(request["path"], headers=headers)


def main() -> None:
    requests = json.loads(Path(sys.argv[1]).read_text())
    client = Client(HTTP_HOST=HOST)
    counts = {}
    for request in requests:
        send(client, request)
        with CaptureQueriesContext(connection) as captured:
            response = send(client, request)
        counts[request["key"]] = {"queries": len(captured.captured_queries), "status": response.status_code}
    print(json.dumps(counts))


if __name__ == "__main__":
    main()
