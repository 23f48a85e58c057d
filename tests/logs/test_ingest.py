"""`POST /i/v1/logs`: OTLP/HTTP logs as protobuf or JSON, gzip or not, by project token."""

import gzip
import json
import math
import time
from datetime import UTC, datetime

import pytest
from django.db import connection
from opentelemetry.proto.collector.logs.v1.logs_service_pb2 import ExportLogsServiceResponse

from logs.models import LogRecord
from tests.events.helpers import INVALID_API_KEY, MISSING_API_KEY
from tests.logs.helpers import INGEST_URL, ingest, log_record, otlp_json, otlp_protobuf

pytestmark = pytest.mark.django_db

TRACE_ID = "5b8efff798038103d269b633813fc60c"
SPAN_ID = "eee19b7ec3c1b174"
NANOS = 1_700_000_000_123_456_789


def full_body() -> dict:
    return otlp_json(
        [
            log_record(
                "payment failed",
                attributes={
                    "http.status": 500,
                    "retry": True,
                    "ratio": 0.5,
                    "tags": ["a", "b"],
                    "user": "u1",
                },
                severity=("ERROR", 17),
                time_nanos=NANOS,
                observedTimeUnixNano=str(NANOS + 1000),
                trace_id=TRACE_ID,
                span_id=SPAN_ID,
                eventName="payment.failed",
            ),
            log_record("second"),
        ],
        service="checkout",
        resource={"k8s.pod.name": "pod-1", "deployment.environment": "prod"},
    )


def assert_full_body_stored(team) -> None:
    first, second = LogRecord.objects.filter(team=team).order_by("timestamp")
    assert first.body == "payment failed"
    assert (first.severity_text, first.severity_number) == ("ERROR", 17)
    assert first.service_name == "checkout"
    assert first.event_name == "payment.failed"
    assert first.timestamp == datetime(2023, 11, 14, 22, 13, 20, 123456, tzinfo=UTC)
    assert first.observed_timestamp == datetime(2023, 11, 14, 22, 13, 20, 123457, tzinfo=UTC)
    assert (first.trace_id, first.span_id) == (TRACE_ID, SPAN_ID)
    assert first.resource_attributes == {
        "service.name": "checkout",
        "k8s.pod.name": "pod-1",
        "deployment.environment": "prod",
    }
    assert first.attributes == {
        "http.status": "500",
        "retry": "true",
        "ratio": "0.5",
        "tags": '["a", "b"]',
        "user": "u1",
    }
    assert second.body == "second" and second.trace_id == "" and second.span_id == ""


def test_json_ingest_stores_every_field_and_answers_an_empty_object(client, world):
    response = ingest(client, full_body(), token=world.team.api_token)
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/json")
    assert response.json() == {}
    assert_full_body_stored(world.team)


def test_protobuf_ingest_answers_an_empty_protobuf_response(client, world):
    response = ingest(
        client,
        otlp_protobuf(full_body()),
        token=world.team.api_token,
        content_type="application/x-protobuf",
        HTTP_ACCEPT="application/x-protobuf",
    )
    assert response.status_code == 200
    assert response["Content-Type"] == "application/x-protobuf"
    parsed = ExportLogsServiceResponse()
    parsed.ParseFromString(response.content)
    assert not parsed.HasField("partial_success")
    assert_full_body_stored(world.team)


@pytest.mark.parametrize("content_type", ["application/json", "application/x-protobuf"])
def test_gzip_bodies(client, world, content_type):
    body = full_body()
    data = otlp_protobuf(body) if content_type == "application/x-protobuf" else json.dumps(body).encode()
    response = ingest(client, data, token=world.team.api_token, content_type=content_type, compress=True)
    assert response.status_code == 200, response.content
    assert_full_body_stored(world.team)


def test_gzip_recognised_by_its_magic_bytes_without_a_header(client, world):
    data = gzip.compress(json.dumps(full_body()).encode())
    assert ingest(client, data, token=world.team.api_token).status_code == 200
    assert LogRecord.objects.filter(team=world.team).count() == 2


@pytest.mark.parametrize("path", [INGEST_URL, INGEST_URL + "/"])
def test_token_in_the_query_and_optional_slash(client, world, path):
    response = ingest(client, otlp_json([log_record()]), token=world.team.api_token, via="query", path=path)
    assert response.status_code == 200
    assert LogRecord.objects.filter(team=world.team).count() == 1


def test_the_token_picks_the_project(client, world):
    ingest(client, otlp_json([log_record("mine")]), token=world.team.api_token)
    ingest(client, otlp_json([log_record("theirs")]), token=world.team_b.api_token)
    assert list(LogRecord.objects.filter(team=world.team).values_list("body", flat=True)) == ["mine"]
    assert list(LogRecord.objects.filter(team=world.team_b).values_list("body", flat=True)) == ["theirs"]


def test_missing_token_is_401(client, world):
    response = ingest(client, otlp_json([log_record()]))
    assert response.status_code == 401
    assert response.json() == MISSING_API_KEY


@pytest.mark.parametrize("token", ["phc_unknown", "bad\x00token"])
def test_unknown_token_is_401(client, world, token):
    response = ingest(
        client, otlp_json([log_record()]), token=token, via="header" if "\x00" not in token else "query"
    )
    assert response.status_code == 401
    assert response.json() == INVALID_API_KEY
    assert not LogRecord.objects.exists()


def test_a_personal_api_key_is_not_a_project_token(client, world):
    response = ingest(client, otlp_json([log_record()]), token=world.k_all)
    assert response.status_code == 401


@pytest.mark.parametrize(
    ("data", "content_type"),
    [
        (b"\xff\xff\xff\xff", "application/x-protobuf"),
        (b"\x0a\x05\x0a", "application/x-protobuf"),
        (b"{not json", "application/json"),
        (b"[1, 2]", "application/json"),
        (b'{"resourceLogs": "nope"}', "application/json"),
        (b'{"resourceLogs": [{"scopeLogs": [{"logRecords": [{"traceId": "zz"}]}]}]}', "application/json"),
        (
            b'{"resourceLogs": [{"scopeLogs": [{"logRecords": [{"timeUnixNano": "-1"}]}]}]}',
            "application/json",
        ),
        (
            b'{"resourceLogs": [{"scopeLogs": [{"logRecords": [{"timeUnixNano": "soon"}]}]}]}',
            "application/json",
        ),
    ],
)
def test_bad_bodies_are_400(client, world, data, content_type):
    response = ingest(client, data, token=world.team.api_token, content_type=content_type)
    assert response.status_code == 400, response.content
    body = response.json()
    assert body["type"] == "validation_error" and body["detail"]
    assert not LogRecord.objects.exists()


def test_bad_gzip_is_400(client, world):
    response = ingest(client, b"\x1f\x8bnot gzip", token=world.team.api_token, HTTP_CONTENT_ENCODING="gzip")
    assert response.status_code == 400


def test_empty_body_is_400(client, world):
    response = ingest(client, b"", token=world.team.api_token)
    assert response.status_code == 400
    assert response.json()["code"] == "no_data"


def test_unsupported_media_type_and_encoding_are_415(client, world):
    body = json.dumps(otlp_json([log_record()])).encode()
    assert ingest(client, body, token=world.team.api_token, content_type="text/plain").status_code == 415
    response = ingest(client, body, token=world.team.api_token, HTTP_CONTENT_ENCODING="br")
    assert response.status_code == 415


def test_decompressed_size_is_bounded(client, world, settings):
    settings.CAPTURE_MAX_DECOMPRESSED_BYTES = 10_000
    body = otlp_json([log_record("x" * 50_000)])
    response = ingest(client, body, token=world.team.api_token, compress=True)
    assert response.status_code == 413
    assert not LogRecord.objects.exists()


def test_body_size_is_bounded(client, world, settings):
    settings.CAPTURE_MAX_BODY_BYTES = 1_000
    response = ingest(client, otlp_json([log_record("x" * 5_000)]), token=world.team.api_token)
    assert response.status_code == 413


def test_empty_export_is_accepted(client, world):
    response = ingest(client, {"resourceLogs": []}, token=world.team.api_token)
    assert response.status_code == 200 and response.json() == {}
    assert ingest(client, {}, token=world.team.api_token).status_code == 200


def test_unknown_fields_are_ignored_and_snake_case_accepted(client, world):
    body = {
        "resource_logs": [
            {
                "scope_logs": [
                    {"log_records": [{"body": {"stringValue": "x"}, "futureField": 1, "span_id": SPAN_ID}]}
                ]
            }
        ],
        "extra": True,
    }
    assert ingest(client, body, token=world.team.api_token).status_code == 200
    assert LogRecord.objects.get().span_id == SPAN_ID


def test_record_without_times_takes_the_arrival_time(client, world):
    record = log_record("no time")
    del record["timeUnixNano"]
    before = datetime.now(tz=UTC)
    ingest(client, otlp_json([record]), token=world.team.api_token)
    stored = LogRecord.objects.get()
    assert before <= stored.timestamp == stored.observed_timestamp <= datetime.now(tz=UTC)


def test_record_without_time_takes_its_observed_time(client, world):
    record = log_record("observed only", observedTimeUnixNano=str(NANOS))
    del record["timeUnixNano"]
    ingest(client, otlp_json([record]), token=world.team.api_token)
    assert LogRecord.objects.get().timestamp == datetime(2023, 11, 14, 22, 13, 20, 123456, tzinfo=UTC)


def test_nul_characters_are_dropped(client, world):
    body = otlp_json([log_record("a\x00b", attributes={"k\x00ey": "v\x00al"})], service="svc\x00")
    assert (
        ingest(
            client, otlp_protobuf(body), token=world.team.api_token, content_type="application/x-protobuf"
        ).status_code
        == 200
    )
    stored = LogRecord.objects.get()
    assert (stored.body, stored.attributes, stored.service_name) == ("ab", {"key": "val"}, "svc")


def test_structured_bodies_are_stored_as_json_text(client, world):
    ingest(client, otlp_json([log_record({"msg": "hi", "n": 2})]), token=world.team.api_token)
    assert json.loads(LogRecord.objects.get().body) == {"msg": "hi", "n": 2}


def test_overlong_fields_are_cut_to_fit(client, world):
    record = log_record(severity=("S" * 500, 9), eventName="e" * 1000)
    ingest(client, otlp_json([record], service="s" * 1000), token=world.team.api_token)
    stored = LogRecord.objects.get()
    assert (len(stored.severity_text), len(stored.service_name), len(stored.event_name)) == (64, 255, 255)


def test_a_batch_is_one_bulk_insert(client, world, django_assert_max_num_queries):
    records = [log_record(f"line {index}", attributes={"i": index}) for index in range(200)]
    # The token lookup and one INSERT (which SQLite's bound-parameter limit splits into statements).
    fields = [field for field in LogRecord._meta.concrete_fields]
    statements = math.ceil(200 / connection.ops.bulk_batch_size(fields, [LogRecord()] * 200))
    assert connection.vendor != "postgresql" or statements == 1
    with django_assert_max_num_queries(1 + statements):
        response = ingest(client, otlp_json(records), token=world.team.api_token)
    assert response.status_code == 200
    assert LogRecord.objects.filter(team=world.team).count() == 200


def test_timestamps_keep_microseconds(client, world):
    now = time.time_ns()
    ingest(client, otlp_json([log_record(time_nanos=now)]), token=world.team.api_token)
    stored = LogRecord.objects.get().timestamp
    assert int(stored.timestamp() * 1_000_000) // 10 == now // 10_000


@pytest.mark.parametrize("depth", [10, 200, 5000])
def test_deeply_nested_values_never_500(client, world, depth):
    value = '{"arrayValue": {"values": [' * depth + '{"stringValue": "x"}' + "]}}" * depth
    body = '{"resourceLogs": [{"scopeLogs": [{"logRecords": [{"body": ' + value + "}]}]}]}"
    response = ingest(client, body, token=world.team.api_token)
    assert response.status_code == (200 if depth == 10 else 400), response.content
