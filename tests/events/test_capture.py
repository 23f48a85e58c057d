"""Capture endpoints: paths, body shapes, gzip, tokens, error answers and retries."""

import base64
import gzip
import json
import uuid
from datetime import UTC, datetime, timedelta

import pytest

from events.models import Event
from tests.api import envelope
from tests.events.helpers import (
    CAPTURE_PATHS,
    INVALID_API_KEY,
    MISSING_API_KEY,
    batch_body,
    capture,
    events_of,
    only_event,
    post_json,
    post_raw,
    sdk_event,
)

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize("path", CAPTURE_PATHS)
@pytest.mark.parametrize("slash", [True, False])
def test_every_path_stores_the_batch(client, world, path, slash):
    url = path if slash else path.rstrip("/")
    event = sdk_event("signed_up", "d-1", properties={"plan": "pro"})
    capture(client, world.team, [event], path=url)
    stored = only_event(world.team)
    assert (stored.event, stored.distinct_id, str(stored.uuid)) == ("signed_up", "d-1", event["uuid"])
    assert stored.properties["plan"] == "pro"
    assert stored.properties["$lib"] == "posthog-python"


def test_single_event_body_with_api_key(client, world):
    body = {**sdk_event("one"), "api_key": world.team.api_token}
    response = post_json(client, "/capture/", body)
    assert (response.status_code, response.json()) == (200, {"status": 1})
    assert only_event(world.team).event == "one"


def test_bare_list_with_token_in_event_properties(client, world):
    # posthog-js sends a list, each event carrying the token in its properties.
    events = [sdk_event("a", properties={"token": world.team.api_token}), sdk_event("b")]
    response = post_json(client, "/e/", events)
    assert response.status_code == 200, response.content
    assert [e.event for e in events_of(world.team)] == ["a", "b"]


@pytest.mark.parametrize("field", ["api_key", "token", "$token"])
def test_token_fields_in_the_body(client, world, field):
    body = {"batch": [sdk_event()], field: world.team.api_token}
    assert post_json(client, "/batch/", body).status_code == 200
    assert len(events_of(world.team)) == 1


@pytest.mark.parametrize("param", ["token", "api_key"])
def test_token_in_the_query_string(client, world, param):
    response = post_json(client, f"/batch/?{param}={world.team.api_token}", {"batch": [sdk_event()]})
    assert response.status_code == 200
    assert len(events_of(world.team)) == 1


def test_token_as_bearer_header(client, world):
    response = post_json(
        client, "/batch/", {"batch": [sdk_event()]}, HTTP_AUTHORIZATION=f"Bearer {world.team.api_token}"
    )
    assert response.status_code == 200
    assert len(events_of(world.team)) == 1


def test_form_body_with_base64_data(client, world):
    payload = base64.b64encode(json.dumps([sdk_event("from-form")]).encode()).decode()
    response = post_raw(
        client,
        f"/e/?token={world.team.api_token}",
        f"data={payload}".encode(),
        content_type="application/x-www-form-urlencoded",
    )
    assert response.status_code == 200, response.content
    assert only_event(world.team).event == "from-form"


def test_missing_token_is_401(client, world):
    response = post_json(client, "/batch/", batch_body([sdk_event()], None))
    assert (response.status_code, response.json()) == (401, MISSING_API_KEY)
    assert not Event.objects.exists()


@pytest.mark.parametrize("token", ["phc_unknown", "", "phc_\x00x", 12345])
def test_unknown_token_is_401(client, world, token):
    response = post_json(client, "/batch/", batch_body([sdk_event()], None, api_key=token))
    expected = MISSING_API_KEY if token in ("", 12345) else INVALID_API_KEY
    assert (response.status_code, response.json()) == (401, expected)
    assert not Event.objects.exists()


def test_unknown_query_token_is_401(client, world):
    response = post_json(client, "/batch/?token=phc_nope", {"batch": [sdk_event()]})
    assert (response.status_code, response.json()) == (401, INVALID_API_KEY)


def test_one_projects_token_writes_only_into_that_project(client, world):
    capture(client, world.team_b, [sdk_event("for-b", "shared-id")])
    capture(client, world.team, [sdk_event("for-t", "shared-id")])
    assert [e.event for e in events_of(world.team)] == ["for-t"]
    assert [e.event for e in events_of(world.team_b)] == ["for-b"]
    assert not events_of(world.team2)
    # The same distinct id is a different person in each project.
    assert events_of(world.team)[0].person_id != events_of(world.team_b)[0].person_id


def test_body_token_wins_over_query_token(client, world):
    body = batch_body([sdk_event()], world.team.api_token)
    assert post_json(client, f"/batch/?token={world.team_b.api_token}", body).status_code == 200
    assert len(events_of(world.team)) == 1 and not events_of(world.team_b)


# ---- gzip --------------------------------------------------------------------------------------


def test_gzip_with_content_encoding(client, world):
    capture(client, world.team, [sdk_event("zipped")], gzipped=True)
    assert only_event(world.team).event == "zipped"


@pytest.mark.parametrize("compression", ["gzip", "gzip-js"])
def test_gzip_by_query_parameter(client, world, compression):
    data = gzip.compress(json.dumps(batch_body([sdk_event()], world.team.api_token)).encode())
    response = post_raw(client, f"/batch/?compression={compression}", data, content_type="text/plain")
    assert response.status_code == 200, response.content
    assert len(events_of(world.team)) == 1


def test_gzip_sniffed_from_magic_bytes(client, world):
    data = gzip.compress(json.dumps(batch_body([sdk_event()], world.team.api_token)).encode())
    assert post_raw(client, "/batch/", data).status_code == 200
    assert len(events_of(world.team)) == 1


def test_multi_member_gzip(client, world):
    text = json.dumps(batch_body([sdk_event()], world.team.api_token)).encode()
    data = gzip.compress(text[:10]) + gzip.compress(text[10:])
    assert post_raw(client, "/batch/", data, HTTP_CONTENT_ENCODING="gzip").status_code == 200
    assert len(events_of(world.team)) == 1


def test_deflate_content_encoding(client, world):
    import zlib

    data = zlib.compress(json.dumps(batch_body([sdk_event()], world.team.api_token)).encode())
    assert post_raw(client, "/batch/", data, HTTP_CONTENT_ENCODING="deflate").status_code == 200
    assert len(events_of(world.team)) == 1


# ---- 400s --------------------------------------------------------------------------------------


def _bad_request(response, code: str = "invalid_payload") -> dict:
    assert response.status_code == 400, response.content
    body = response.json()
    assert (body["type"], body["code"], body["attr"]) == ("validation_error", code, None)
    return body


@pytest.mark.parametrize(
    "data",
    [b"{not json", b'{"batch": [', b"\xff\xfe\x00garbage", b'"just a string"', b"42", b"null", b"[1, 2"],
)
def test_bad_json_is_400(client, world, data):
    body = _bad_request(post_raw(client, f"/batch/?token={world.team.api_token}", data))
    assert body["detail"].startswith("Malformed request data")
    assert not Event.objects.exists()


def test_batch_that_is_not_a_list_is_400(client, world):
    _bad_request(post_json(client, "/batch/", {"batch": {"event": "x"}, "api_key": world.team.api_token}))


@pytest.mark.parametrize(
    "data",
    [b"\x1f\x8bnot really gzip", gzip.compress(b'{"batch": []}', mtime=0)[:-12], b"plain text"],
)
def test_bad_gzip_is_400(client, world, data):
    body = _bad_request(post_raw(client, "/batch/", data, HTTP_CONTENT_ENCODING="gzip"))
    assert "gzip" in body["detail"]


def test_gzip_of_invalid_json_is_400(client, world):
    _bad_request(post_raw(client, "/batch/", gzip.compress(b"{nope"), HTTP_CONTENT_ENCODING="gzip"))


def test_empty_body_is_400(client, world):
    _bad_request(post_raw(client, f"/batch/?token={world.team.api_token}", b""), code="no_data")


def test_deeply_nested_json_is_400_not_500(client, world):
    data = b'{"batch": ' + b"[" * 100_000 + b"]" * 100_000 + b"}"
    _bad_request(post_raw(client, "/batch/", data))


def test_get_is_405(client, world):
    assert client.get(f"/batch/?token={world.team.api_token}").status_code == 405


# ---- 413 ---------------------------------------------------------------------------------------


def test_oversized_body_is_413_before_reading(client, world, settings):
    settings.CAPTURE_MAX_BODY_BYTES = 1000
    body = batch_body([sdk_event(properties={"blob": "x" * 2000})], world.team.api_token)
    response = post_json(client, "/batch/", body)
    assert response.status_code == 413
    assert response.json() == envelope(
        "invalid_request", "request_too_large", "The request body is larger than this server accepts."
    )
    assert not Event.objects.exists()


def test_declared_length_is_checked_without_reading(client, world, settings):
    settings.CAPTURE_MAX_BODY_BYTES = 1000

    class Unreadable:
        def read(self, *args):
            raise AssertionError("the body was read")

        readline = read

    response = client.generic(
        "POST",
        "/batch/",
        b"",
        content_type="application/json",
        CONTENT_LENGTH="5000",
        **{"wsgi.input": Unreadable()},
    )
    assert response.status_code == 413


def test_gzip_bomb_is_413(client, world, settings):
    settings.CAPTURE_MAX_DECOMPRESSED_BYTES = 1024 * 1024
    bomb = gzip.compress(b'{"batch": [' + b" " * (50 * 1024 * 1024) + b"]}")
    assert len(bomb) < 100_000
    response = post_raw(client, "/batch/", bomb, HTTP_CONTENT_ENCODING="gzip")
    assert response.status_code == 413
    assert response.json()["detail"] == "The decompressed request body is larger than this server accepts."


def test_body_at_the_limit_is_accepted(client, world, settings):
    data = json.dumps(batch_body([sdk_event()], world.team.api_token)).encode()
    settings.CAPTURE_MAX_BODY_BYTES = len(data)
    assert post_raw(client, "/batch/", data).status_code == 200


# ---- events kept and dropped -------------------------------------------------------------------


def test_events_lacking_name_or_distinct_id_are_dropped(client, world):
    good = sdk_event("kept", "d")
    bad = [
        {k: v for k, v in sdk_event().items() if k != "event"},
        {k: v for k, v in sdk_event().items() if k != "distinct_id"},
        sdk_event("", "d"),
        sdk_event("x", ""),
        sdk_event("x", None),
        sdk_event(None, "d"),
        sdk_event({"an": "object"}, "d"),
        "not an event",
        None,
    ]
    capture(client, world.team, [bad[0], good, *bad[1:]])
    assert [e.event for e in events_of(world.team)] == ["kept"]


def test_numeric_distinct_id_is_text(client, world):
    capture(client, world.team, [sdk_event("n", 12345)])
    assert only_event(world.team).distinct_id == "12345"


def test_distinct_id_from_properties(client, world):
    event = sdk_event("alias-like", None, properties={"distinct_id": "from-props"})
    capture(client, world.team, [event])
    assert only_event(world.team).distinct_id == "from-props"


def test_empty_batch_is_accepted(client, world):
    capture(client, world.team, [])
    assert not events_of(world.team)


def test_a_retried_event_is_stored_once(client, world):
    event = sdk_event("retried")
    capture(client, world.team, [event])
    capture(client, world.team, [event])
    capture(client, world.team, [event, event])
    assert len(events_of(world.team)) == 1


def test_the_same_uuid_in_two_projects_is_two_events(client, world):
    event = sdk_event("shared-uuid")
    capture(client, world.team, [event])
    capture(client, world.team_b, [event])
    assert len(events_of(world.team)) == len(events_of(world.team_b)) == 1


def test_missing_uuid_gets_one(client, world):
    event = sdk_event()
    del event["uuid"]
    capture(client, world.team, [event])
    assert isinstance(only_event(world.team).uuid, uuid.UUID)


def test_invalid_uuid_still_dedupes_retries(client, world):
    event = sdk_event(uuid="not-a-uuid")
    capture(client, world.team, [event])
    capture(client, world.team, [event])
    assert len(events_of(world.team)) == 1


def test_non_object_properties_are_stored_empty(client, world):
    capture(client, world.team, [{**sdk_event("p"), "properties": ["a", "list"]}])
    assert only_event(world.team).properties == {}


def test_unstorable_text_is_cleaned_not_500(client, world):
    data = (
        b'{"api_key": "' + world.team.api_token.encode() + b'", "batch": [{"event": "nul\\u0000name", '
        b'"distinct_id": "d\\ud800", "properties": {"k\\u0000": "v\\udfff", "ok": "\\ud83d\\ude00"}}]}'
    )
    response = post_raw(client, "/batch/", data)
    assert response.status_code == 200, response.content
    stored = only_event(world.team)
    assert (stored.event, stored.distinct_id) == ("nulname", "d\ufffd")
    assert stored.properties == {"k": "v\ufffd", "ok": "\U0001f600"}


def test_non_finite_numbers_are_null(client, world):
    data = (
        b'{"api_key": "' + world.team.api_token.encode() + b'", "batch": [{"event": "n", "distinct_id": "d", '
        b'"properties": {"a": NaN, "b": Infinity, "c": -Infinity, "d": 1e999, "e": 1.5}}]}'
    )
    assert post_raw(client, "/batch/", data).status_code == 200
    assert only_event(world.team).properties == {"a": None, "b": None, "c": None, "d": None, "e": 1.5}


def test_long_names_are_cut_to_the_column(client, world):
    capture(client, world.team, [sdk_event("e" * 1000, "d" * 1000)])
    stored = only_event(world.team)
    assert (len(stored.event), len(stored.distinct_id)) == (400, 400)


# ---- timestamps --------------------------------------------------------------------------------


def test_clock_skew_is_corrected_with_sent_at(client, world):
    # The client's clock is 2 hours fast: it stamped the event 10 s before it sent the batch.
    client_now = datetime.now(tz=UTC) + timedelta(hours=2)
    event = sdk_event(timestamp=(client_now - timedelta(seconds=10)).isoformat())
    body = batch_body([event], world.team.api_token, sent_at=client_now.isoformat())
    before = datetime.now(tz=UTC)
    assert post_json(client, "/batch/", body).status_code == 200
    after = datetime.now(tz=UTC)
    stored = only_event(world.team)
    assert before - timedelta(seconds=10) <= stored.timestamp <= after - timedelta(seconds=10)
    assert before <= stored.created_at <= after


def test_ignore_sent_at_keeps_the_timestamp(client, world):
    stamp = datetime(2026, 1, 2, 3, 4, 5, tzinfo=UTC)
    event = sdk_event(timestamp=stamp.isoformat(), properties={"$ignore_sent_at": True})
    body = batch_body([event], world.team.api_token, sent_at=(stamp + timedelta(days=3)).isoformat())
    assert post_json(client, "/batch/", body).status_code == 200
    assert only_event(world.team).timestamp == stamp


def test_timestamp_without_sent_at_is_kept(client, world):
    stamp = datetime(2026, 1, 2, 3, 4, 5, 678000, tzinfo=UTC)
    event = sdk_event(timestamp="2026-01-02T04:04:05.678+01:00")
    body = {"batch": [event], "api_key": world.team.api_token}
    assert post_json(client, "/batch/", body).status_code == 200
    assert only_event(world.team).timestamp == stamp


def test_naive_timestamp_is_utc(client, world):
    body = {"batch": [sdk_event(timestamp="2026-01-02T03:04:05")], "api_key": world.team.api_token}
    assert post_json(client, "/batch/", body).status_code == 200
    assert only_event(world.team).timestamp == datetime(2026, 1, 2, 3, 4, 5, tzinfo=UTC)


@pytest.mark.parametrize("timestamp", [None, "yesterday", "", 12345, "9999-12-31T23:59:59+00:00"])
def test_missing_unusable_or_far_future_timestamp_is_receive_time(client, world, timestamp):
    event = sdk_event()
    event["timestamp"] = timestamp
    before = datetime.now(tz=UTC)
    assert (
        post_json(client, "/batch/", {"batch": [event], "api_key": world.team.api_token}).status_code == 200
    )
    stored = only_event(world.team)
    assert before <= stored.timestamp <= datetime.now(tz=UTC)
    assert stored.timestamp == stored.created_at


def test_skew_correction_overflow_falls_back_to_receive_time(client, world):
    event = sdk_event(timestamp="0001-01-01T00:00:00+00:00")
    body = batch_body([event], world.team.api_token, sent_at="9999-12-31T00:00:00+00:00")
    assert post_json(client, "/batch/", body).status_code == 200
    stored = only_event(world.team)
    assert stored.timestamp == stored.created_at


def test_offset_in_milliseconds(client, world):
    event = sdk_event()
    del event["timestamp"]
    event["offset"] = 60_000
    before = datetime.now(tz=UTC)
    assert post_json(client, "/e/", {"batch": [event], "api_key": world.team.api_token}).status_code == 200
    stored = only_event(world.team)
    assert stored.timestamp == stored.created_at - timedelta(minutes=1)
    assert stored.created_at >= before


def test_trace_id_column(client, world):
    capture(
        client,
        world.team,
        [
            sdk_event("$ai_span", properties={"$ai_trace_id": "trace-1"}),
            sdk_event("$ai_generation", properties={"$ai_trace_id": 42}),
            sdk_event("$ai_span", properties={"$ai_trace_id": {"not": "text"}}),
            sdk_event("plain"),
        ],
    )
    assert [e.ai_trace_id for e in events_of(world.team)] == ["trace-1", "42", None, None]
