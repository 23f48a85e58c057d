"""The error envelope (platform spec §4; cases 23-28) and unexpected failures (500)."""

import json
import logging

from django.test import Client

from tests.api import bearer, envelope, server_error
from tests.factories import make_key
from tests.fixtures_app.models import Widget
from tests.platform.helpers import ENVELOPE_KEYS, NOPUT_WIDGETS, make_widgets, url

SERVER_ERROR = server_error()


def test_case_23_empty_body_reports_first_required_field(client, world):
    response = client.post(url(world.t), {}, format="json", **bearer(world.k_all))
    assert response.status_code == 400
    assert response.json() == envelope("validation_error", "required", "This field is required.", "name")
    assert not Widget.objects.exists()


def test_case_23_blank_and_null(client, world):
    response = client.post(url(world.t), {"name": ""}, format="json", **bearer(world.k_all))
    assert response.json() == envelope("validation_error", "blank", "This field may not be blank.", "name")
    response = client.post(url(world.t), {"name": None}, format="json", **bearer(world.k_all))
    assert response.json() == envelope("validation_error", "null", "This field may not be null.", "name")


def test_case_24_only_first_declared_field_error(client, world):
    response = client.post(
        url(world.t), {"description": "far too long", "name": "x" * 11}, format="json", **bearer(world.k_all)
    )
    assert response.status_code == 400
    assert response.json() == envelope(
        "validation_error", "max_length", "Ensure this field has no more than 10 characters.", "name"
    )
    # With the first field fixed, the second one is reported.
    response = client.post(
        url(world.t), {"description": "far too long", "name": "ok"}, format="json", **bearer(world.k_all)
    )
    assert response.status_code == 400
    assert response.json() == envelope(
        "validation_error", "max_length", "Ensure this field has no more than 5 characters.", "description"
    )
    assert not Widget.objects.exists()


def test_case_24_patch_validation(client, world):
    widget = make_widgets(world.team, 1)[0]
    response = client.patch(
        url(world.t, object_id=widget.id), {"name": "x" * 11}, format="json", **bearer(world.k_all)
    )
    assert response.status_code == 400
    assert response.json()["attr"] == "name"
    widget.refresh_from_db()
    assert widget.name == "w0"


def test_case_25_malformed_json(client, world):
    response = client.post(url(world.t), "{bad", content_type="application/json", **bearer(world.k_all))
    assert response.status_code == 400
    body = response.json()
    assert list(body) == ENVELOPE_KEYS
    assert body["type"] == "invalid_request"
    assert body["code"] == "parse_error"
    assert body["detail"].startswith("JSON parse error - ")
    assert body["attr"] is None
    assert not Widget.objects.exists()


def test_case_25_malformed_json_on_patch(client, world):
    widget = make_widgets(world.team, 1)[0]
    response = client.patch(
        url(world.t, object_id=widget.id), "{bad", content_type="application/json", **bearer(world.k_all)
    )
    assert response.status_code == 400
    assert response.json()["code"] == "parse_error"


def test_case_26_unsupported_media_type(client, world):
    response = client.post(url(world.t), "name=x", content_type="text/plain", **bearer(world.k_all))
    assert response.status_code == 415
    assert response.json() == envelope(
        "invalid_request", "unsupported_media_type", 'Unsupported media type "text/plain" in request.'
    )
    assert not Widget.objects.exists()


def test_case_27_json_array_body(client, world):
    response = client.post(url(world.t), [{"name": "x"}], format="json", **bearer(world.k_all))
    assert response.status_code == 400
    assert response.json() == envelope(
        "validation_error", "invalid_input", "Invalid data. Expected a dictionary, but got list."
    )
    assert not Widget.objects.exists()


def _error_responses(client, world):
    widget = make_widgets(world.team, 1)[0]
    yield client.get(url(world.t))  # 401 not authenticated
    yield client.get(url(world.t), **bearer("phx_nope"))  # 401 bad key
    yield client.post(url(world.t), {"name": "x"}, format="json", **bearer(world.k_ro))  # 403 scope
    yield client.get(url(world.team_b.id), **bearer(world.k_all))  # 403 membership
    yield client.get(url(world.missing_id), **bearer(world.k_all))  # 404 project
    yield client.get(url(world.t, object_id="nope"), **bearer(world.k_all))  # 404 object
    yield client.get(f"/api/projects/{world.t}/nothing/")  # 404 endpoint
    yield client.put(url(world.t, NOPUT_WIDGETS, widget.id), {}, format="json", **bearer(world.k_all))  # 405
    yield client.post(url(world.t), {}, format="json", **bearer(world.k_all))  # 400 validation
    yield client.post(url(world.t), "{", content_type="application/json", **bearer(world.k_all))  # 400 parse
    yield client.post(url(world.t), "x", content_type="text/plain", **bearer(world.k_all))  # 415
    yield client.get(url(world.t), {"token": "phc_nope"}, **bearer(world.k_all))  # 401 token


def test_case_28_error_bodies_have_exactly_the_envelope_keys(client, world):
    statuses = []
    for response in _error_responses(client, world):
        statuses.append(response.status_code)
        body = response.json()
        assert list(body) == ENVELOPE_KEYS, body
        assert isinstance(body["detail"], str)
        assert isinstance(body["code"], str)
        assert body["attr"] is None or isinstance(body["attr"], str)
        assert response["Content-Type"] == "application/json"
        # Compact JSON.
        assert response.content == json.dumps(body, separators=(",", ":")).encode()
    assert statuses == [401, 401, 403, 403, 404, 404, 404, 405, 400, 400, 415, 401]


def test_unhandled_exception_gives_generic_500(client, world, caplog):
    with caplog.at_level(logging.ERROR, logger="llm_server.errors"):
        response = client.get(url(world.t, "test_exploding_widgets") + "boom/", **bearer(world.k_all))
    assert response.status_code == 500
    assert response.json() == SERVER_ERROR
    assert response["Content-Type"] == "application/json"
    assert b"Traceback" not in response.content
    assert b"must not leak" not in response.content
    assert b"RuntimeError" not in response.content
    # The traceback goes to the server log instead.
    records = [r for r in caplog.records if r.name == "llm_server.errors"]
    assert records and records[0].exc_info and records[0].exc_info[0] is RuntimeError


def test_unhandled_exception_still_after_auth(client, world):
    """The failing action still sits behind authentication and scopes."""
    response = client.get(url(world.t, "test_exploding_widgets") + "boom/")
    assert response.status_code == 401
    response = client.get(url(world.t, "test_exploding_widgets") + "boom/", **bearer(world.k_rw))
    assert response.status_code == 500  # dataset:write implies dataset:read
    key = make_key(world.user, ["llm_prompt:read"])
    response = client.get(url(world.t, "test_exploding_widgets") + "boom/", **bearer(key))
    assert response.status_code == 403
    assert response.json()["detail"] == "API key missing required scope 'dataset:read'"


def test_unhandled_exception_in_api_gives_envelope_even_with_debug(client, world, settings):
    settings.DEBUG = True
    response = client.get(url(world.t, "test_exploding_widgets") + "boom/", **bearer(world.k_all))
    assert response.status_code == 500
    assert response.json() == SERVER_ERROR


def test_unhandled_exception_outside_drf_gives_generic_500(db):
    plain = Client(raise_request_exception=False)
    response = plain.get("/test_plain_boom")
    assert response.status_code == 500
    assert response.json() == SERVER_ERROR
    assert b"must not leak" not in response.content


def test_json_number_too_large_to_be_finite_is_a_parse_error(client, world):
    """`1e400` would otherwise reach the database as infinity (or the text "inf")."""
    from datasets.models import Dataset
    from tests.api import bearer

    response = client.post(
        f"/api/projects/{world.t}/datasets/",
        data='{"name": 1e400}',
        content_type="application/json",
        **bearer(world.k_all),
    )
    assert response.status_code == 400
    assert response.json() == {
        "type": "invalid_request",
        "code": "parse_error",
        "detail": "JSON parse error - Numbers must be finite: 1e400",
        "attr": None,
    }
    assert not Dataset.objects.exists()
