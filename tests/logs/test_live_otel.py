"""The real OpenTelemetry Python SDK (OTLP/HTTP protobuf exporter) against a live server, then the
attribute keys of what it sent read back over HTTP, and one of its records explained."""

import json

import pytest
from opentelemetry import trace
from opentelemetry._logs import SeverityNumber
from opentelemetry.exporter.otlp.proto.http import Compression
from opentelemetry.exporter.otlp.proto.http._log_exporter import OTLPLogExporter
from opentelemetry.sdk._logs import LoggerProvider
from opentelemetry.sdk._logs.export import SimpleLogRecordProcessor
from opentelemetry.sdk.resources import Resource
from opentelemetry.sdk.trace import TracerProvider

from logs.models import LogRecord
from tests.assist.helpers import approve, completion, running_stub, use_stub
from tests.logs.helpers import INGEST_URL, attributes_url

pytestmark = [pytest.mark.live, pytest.mark.django_db(transaction=True)]


class RecordingExporter(OTLPLogExporter):
    """The SDK's exporter, keeping the result of every export."""

    def __init__(self, **options):
        super().__init__(**options)
        self.results: list = []

    def export(self, batch):
        result = super().export(batch)
        self.results.append(result)
        return result


def send_logs(live_server, token: str, *, compression: Compression, query_token: bool = False):
    """Emits three records through the SDK's logs API; returns the export results and the span
    the first was emitted in."""
    endpoint = f"{live_server.url}{INGEST_URL}"
    options = {"headers": {"Authorization": f"Bearer {token}"}}
    if query_token:
        endpoint, options = f"{endpoint}?token={token}", {}
    exporter = RecordingExporter(endpoint=endpoint, compression=compression, timeout=10, **options)
    provider = LoggerProvider(
        resource=Resource.create(
            {"service.name": "checkout", "k8s.pod.name": "pod-7", "deployment.environment": "test"}
        )
    )
    provider.add_log_record_processor(SimpleLogRecordProcessor(exporter))
    logger = provider.get_logger("tests.checkout")
    tracer = TracerProvider().get_tracer("tests")
    try:
        with tracer.start_as_current_span("charge") as span:
            logger.emit(
                severity_number=SeverityNumber.ERROR,
                severity_text="ERROR",
                body="payment failed",
                attributes={"order_id": "o-1", "http.status_code": 502, "retryable": True},
                event_name="payment.failed",
            )
            span_context = span.get_span_context()
        logger.emit(
            severity_number=SeverityNumber.INFO,
            severity_text="INFO",
            body="payment retried",
            attributes={"order_id": "o-1", "attempt": 2},
        )
        logger.emit(
            severity_number=SeverityNumber.WARN,
            severity_text="WARN",
            body="slow upstream",
            attributes={"upstream.latency_ms": 1234.5},
        )
        provider.force_flush()
    finally:
        provider.shutdown()
    return exporter.results, span_context


@pytest.mark.parametrize("compression", [Compression.NoCompression, Compression.Gzip])
def test_sdk_logs_are_stored_and_their_attributes_listed(live_server, world, live_session, compression):
    results, span_context = send_logs(live_server, world.team.api_token, compression=compression)
    assert [result.name for result in results] == ["SUCCESS"] * 3

    stored = {record.body: record for record in LogRecord.objects.filter(team=world.team)}
    assert set(stored) == {"payment failed", "payment retried", "slow upstream"}
    failed = stored["payment failed"]
    assert (failed.severity_text, failed.severity_number, failed.service_name) == ("ERROR", 17, "checkout")
    assert failed.trace_id == trace.format_trace_id(span_context.trace_id)
    assert failed.span_id == trace.format_span_id(span_context.span_id)
    assert failed.attributes["order_id"] == "o-1"
    assert failed.attributes["http.status_code"] == "502"
    assert failed.resource_attributes["k8s.pod.name"] == "pod-7"
    assert failed.event_name == "payment.failed"
    assert stored["slow upstream"].severity_text == "WARN"
    assert stored["slow upstream"].attributes == {"upstream.latency_ms": "1234.5"}

    session = live_session(world.k_all)
    url = f"{live_server.url}{attributes_url(world.team.id)}"
    keys = session.get(url, params={"search": "order"}).json()
    assert keys == {"results": [{"name": "order_id", "propertyFilterType": "log_attribute"}], "count": 1}
    listed = session.get(url).json()
    # The most frequent first: `order_id` is on two of the three records.
    assert [item["name"] for item in listed["results"]] == [
        "order_id",
        "attempt",
        "http.status_code",
        "retryable",
        "upstream.latency_ms",
    ]
    resource = session.get(url, params={"attribute_type": "resource", "search": "k8s"}).json()
    assert resource == {
        "results": [{"name": "k8s.pod.name", "propertyFilterType": "log_resource_attribute"}],
        "count": 1,
    }
    other_service = session.get(url, params={"serviceNames": '["billing"]'}).json()
    assert other_service == {"results": [], "count": 0}


def test_sdk_with_the_token_in_the_query(live_server, world):
    results, _ = send_logs(live_server, world.team.api_token, compression=Compression.Gzip, query_token=True)
    assert [result.name for result in results] == ["SUCCESS"] * 3
    assert LogRecord.objects.filter(team=world.team).count() == 3


def test_sdk_with_an_unknown_token_fails_and_stores_nothing(live_server, world):
    results, _ = send_logs(live_server, "phc_not_a_project", compression=Compression.NoCompression)
    assert [result.name for result in results] == ["FAILURE"] * 3
    assert not LogRecord.objects.exists()


def test_sdk_log_is_explained(live_server, world, live_session, settings):
    """A record the SDK sent is found by its uuid and timestamp and explained by the model."""
    explanation = {
        "headline": "Payment provider failed",
        "severity_assessment": "error",
        "impact_summary": "One order was not charged.",
        "probable_causes": [{"hypothesis": "Upstream 502", "confidence": "high", "reasoning": "Status 502."}],
        "immediate_actions": [{"action": "Retry", "priority": "now", "why": "The error is retryable."}],
        "technical_explanation": "The provider answered 502.",
        "key_fields": [
            {
                "field": "http.status_code",
                "value": "502",
                "significance": "Upstream.",
                "attribute_type": "log",
            }
        ],
    }
    approve(world.org_a)
    send_logs(live_server, world.team.api_token, compression=Compression.Gzip)
    failed = LogRecord.objects.get(team=world.team, body="payment failed")
    with running_stub() as stub:
        use_stub(settings, stub)
        stub.default = completion(json.dumps(explanation))
        session = live_session(world.k_all)
        response = session.post(
            f"{live_server.url}/api/projects/{world.team.id}/logs/explainLogWithAI/",
            json={"uuid": str(failed.uuid), "timestamp": failed.timestamp.isoformat()},
        )
        assert (response.status_code, response.json()) == (200, explanation)
        prompt = json.dumps(stub.last["messages"])
    assert "payment failed" in prompt and "http.status_code" in prompt and "pod-7" in prompt
