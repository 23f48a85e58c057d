"""Raw personal API keys are never stored or logged (platform spec §1.1), and keys are throttled
one by one with a Retry-After (spec §8)."""

import hashlib
import json
import logging
from io import StringIO

import pytest
from django.apps import apps
from django.core.management import call_command
from django.db import connection, models
from django.db.models.functions import Cast

from llm_server.accounts import services
from llm_server.accounts.models import PersonalAPIKey
from tests.api import bearer
from tests.platform.helpers import url

TEXT_FIELDS = (models.CharField, models.TextField, models.JSONField, models.BinaryField)


def columns_holding(needle: str) -> list[str]:
    """`table.column` of every text, JSON or binary column of every model whose value contains
    `needle` (JSON and bytes compared as text)."""
    found = []
    for model in apps.get_models(include_auto_created=True):
        if not model._meta.managed or model._meta.proxy:
            continue
        for field in model._meta.concrete_fields:
            if not isinstance(field, TEXT_FIELDS):
                continue
            if isinstance(field, models.BinaryField):
                values = model._base_manager.exclude(**{field.attname: None}).values_list(
                    field.attname, flat=True
                )
                if any(needle.encode() in bytes(value) for value in values):
                    found.append(f"{model._meta.db_table}.{field.column}")
                continue
            as_text = Cast(field.attname, output_field=models.TextField())
            if model._base_manager.annotate(_as_text=as_text).filter(_as_text__contains=needle).exists():
                found.append(f"{model._meta.db_table}.{field.column}")
    return found


def every_table_holding(needle: str) -> list[str]:
    """The same over the whole database, tables without a model included: every column as text."""
    found = []
    with connection.cursor() as cursor:
        for table in connection.introspection.table_names(cursor):
            quoted = connection.ops.quote_name(table)
            columns = [
                column.name for column in connection.introspection.get_table_description(cursor, table)
            ]
            for column in columns:
                name = connection.ops.quote_name(column)
                cast = f"CAST({name} AS TEXT)"
                cursor.execute(f"SELECT 1 FROM {quoted} WHERE {cast} LIKE %s LIMIT 1", [f"%{needle}%"])
                if cursor.fetchone():
                    found.append(f"{table}.{column}")
    return found


def assert_not_stored(raw: str) -> None:
    assert raw.startswith("phx_") and len(raw) >= 40
    # The secret part: with or without the prefix, or any long run of it (the mask keeps 4+4 chars).
    for needle in (raw, raw[4:], raw[4:-4], raw[10:30]):
        assert columns_holding(needle) == [], needle
        assert every_table_holding(needle) == [], needle
    # It is there, hashed (spec §1.1: "sha256$" + hex digest).
    digest = "sha256$" + hashlib.sha256(raw.encode()).hexdigest()
    assert PersonalAPIKey.objects.filter(secure_value=digest).count() == 1


def test_keys_from_every_creation_path_are_stored_hashed_only(client, world, admin_client):
    created = []
    # The service (what the API and the fixtures use).
    created.append(services.create_personal_api_key(user=world.user, label="svc", scopes=["*"]).raw_value)
    # The management command.
    out = StringIO()
    call_command("create_personal_api_key", "--email", "cmd@example.com", stdout=out)
    created.append(json.loads(out.getvalue())["key"])
    # The admin add view (its one-time message is not followed, so it still waits in storage).
    response = admin_client.post(
        "/admin/accounts/personalapikey/add/",
        {"user": world.user.pk, "label": "from admin", "scopes_text": "*", "scoped_teams_text": ""},
    )
    assert response.status_code == 302, response.content
    page = admin_client.get(response["Location"])
    text = page.content.decode()
    start = text.index("it will not be shown again: ") + len("it will not be shown again: ")
    admin_raw = text[start : start + 60].split("<")[0].split()[0]
    created.append(admin_raw)

    for raw in created:
        # Each key authenticates (the command's user is in its own organization: 403 on T).
        assert client.get(url(world.t), **bearer(raw)).status_code in (200, 403), raw
        assert_not_stored(raw)
    # The check can see a key: a row holding one is found.
    world.user.first_name = created[0][4:20]
    world.user.save(update_fields=["first_name"])
    column = f"{world.user._meta.db_table}.first_name"
    assert column in columns_holding(created[0][4:20])
    assert column in every_table_holding(created[0][4:20])


@pytest.fixture
def all_logs(caplog):
    """Every record of every logger at DEBUG (django.request's level lowered too), and SQL."""
    caplog.set_level(logging.DEBUG)
    for name in ("django.request", "django.server", "django.db.backends", "llm_server", "gunicorn"):
        caplog.set_level(logging.DEBUG, logger=name)
    previous = connection.force_debug_cursor
    connection.force_debug_cursor = True  # SQL statements and their parameters are logged
    yield caplog
    connection.force_debug_cursor = previous


def logged_text(caplog) -> str:
    lines = []
    for record in caplog.records:
        lines.append(record.getMessage())
        lines.append(repr(record.args))
        lines.append(repr(getattr(record, "params", "")))
        lines.append(repr(getattr(record, "sql", "")))
        if record.exc_text:
            lines.append(record.exc_text)
    return "\n".join(lines)


def test_requests_with_a_key_log_no_raw_key(client, world, all_logs):
    raw = services.create_personal_api_key(user=world.user, label="logged", scopes=["dataset:read"]).raw_value
    wrong = raw[:-6] + "XXXXXX"
    responses = [
        client.get(url(world.t), **bearer(raw)),  # 200
        client.get(url(world.t), {"personal_api_key": raw}),  # 200, key in the query string
        client.post(url(world.t), {"name": "x"}, format="json", **bearer(raw)),  # 403 missing scope
        client.get(url(world.team_b.id), **bearer(raw)),  # 403 other organization
        client.get(url(world.t), **bearer(wrong)),  # 401 invalid key
        client.get(url(world.t), {"personal_api_key": wrong}),  # 401 invalid key in the query
        client.post(url(world.t), {"personal_api_key": wrong, "name": "x"}, format="json"),  # 401, body
    ]
    assert [r.status_code for r in responses] == [200, 200, 403, 403, 401, 401, 401]
    text = logged_text(all_logs)
    assert "SELECT" in text  # SQL was captured, so a query carrying the key would have been seen
    assert any(r.name == "django.request" for r in all_logs.records)  # 4xx lines were captured
    for secret in (raw, wrong):
        for needle in (secret[4:], secret[4:-6], secret[10:30]):
            assert needle not in text, needle
    for response in responses:
        for secret in (raw, wrong):
            assert secret[10:30].encode() not in response.content
    assert_not_stored(raw)


# ---- throttling: one budget per key, with a Retry-After ----------------------------------------------


@pytest.fixture
def throttled(settings):
    settings.RATE_LIMIT_ENABLED = True
    settings.RATE_LIMIT_BURST = "3/minute"
    settings.RATE_LIMIT_SUSTAINED = "100/hour"


def test_throttled_answer_has_retry_after_and_spares_other_keys(client, world, throttled):
    for _ in range(3):
        assert client.get(url(world.t), **bearer(world.k_all)).status_code == 200
    response = client.get(url(world.t), **bearer(world.k_all))
    assert response.status_code == 429
    body = response.json()
    assert (body["type"], body["code"]) == ("throttled_error", "throttled")
    assert "Retry-After" in response, dict(response.headers)
    wait = int(response["Retry-After"])
    assert 1 <= wait <= 60
    assert body["detail"].startswith("Request was throttled. Expected available in ")
    # The key in the query string is the same key: same bucket.
    assert client.get(url(world.t), {"personal_api_key": world.k_all}).status_code == 429
    # Another key of the same user, and the same user's other project, are not throttled by it.
    assert client.get(url(world.t), **bearer(world.k_rw)).status_code == 200
    # Unauthenticated and refused requests are answered before the throttle (401/403, not 429).
    assert client.get(url(world.t)).status_code == 401
    assert client.get(url(world.team_b.id), **bearer(world.k_all)).status_code == 403
