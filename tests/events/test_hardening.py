"""Capture inputs that once failed: out-of-range timestamps, numbers no float holds, chunked bodies."""

import io
import json
from datetime import UTC, datetime, timedelta

import pytest

from events.models import Event
from tests.events.helpers import batch_body, capture, only_event, post_raw, sdk_event

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize("timestamp", ["0001-01-01T00:00:00+14:00", "9999-12-31T23:59:59-14:00"])
def test_a_timestamp_whose_offset_leaves_the_calendar_is_stored_at_receive_time(client, world, timestamp):
    before = datetime.now(tz=UTC)
    capture(client, world.team, [sdk_event("e", "d-1", timestamp=timestamp)])
    stored = only_event(world.team)
    assert before - timedelta(seconds=1) <= stored.timestamp <= datetime.now(tz=UTC)


def test_a_client_total_beyond_any_float_is_stored_as_sent(client, world):
    huge = 10**400
    capture(client, world.team, [sdk_event("$ai_generation", "d-1", properties={"$ai_total_cost_usd": huge})])
    stored = only_event(world.team)
    assert stored.properties["$ai_total_cost_usd"] == huge
    assert "$ai_cost_model_source" not in stored.properties


UNSET = {"$ai_total_cost_usd": None, "$ai_cost_model_source": None}


@pytest.mark.parametrize(
    ("properties", "derived"),
    [
        ({"$ai_input_cost_usd": 10**400, "$ai_output_cost_usd": 1}, UNSET),
        ({"$ai_input_cost_usd": 1e308, "$ai_output_cost_usd": 1e308}, UNSET),
        ({"$ai_input_token_price": 1e308, "$ai_input_tokens": 1e308}, UNSET),
        # A price or a token count beyond any float is not a number: it counts as absent.
        (
            {"$ai_output_token_price": 1, "$ai_output_tokens": 10**400, "$ai_input_token_price": 10**400},
            {"$ai_total_cost_usd": 0.0, "$ai_cost_model_source": "custom_token_price"},
        ),
    ],
    ids=["huge-integer-cost", "sum-overflows", "product-overflows", "huge-integer-tokens-and-price"],
)
def test_costs_that_overflow_are_left_unset(client, world, properties, derived):
    capture(client, world.team, [sdk_event("$ai_embedding", "d-1", properties=properties)])
    stored = only_event(world.team)
    for key, value in properties.items():
        # PostgreSQL keeps `1e+308` as the integer it denotes: compare floats as floats.
        kept = stored.properties[key]
        assert (float(kept) if isinstance(value, float) else kept) == value
    assert {key: stored.properties.get(key) for key in derived} == derived


def test_a_chunked_body_is_read_to_its_end(client, world):
    # A chunked request declares no length; the server marks its input as ending with the body.
    body = json.dumps(batch_body([sdk_event("chunked", "d-1")], world.team.api_token)).encode()
    response = post_raw(
        client,
        "/batch/",
        b"",
        CONTENT_LENGTH="",
        **{"wsgi.input": io.BytesIO(body), "wsgi.input_terminated": True},
    )
    assert (response.status_code, response.json()) == (200, {"status": 1})
    assert only_event(world.team).event == "chunked"


def test_a_chunked_body_over_the_limit_is_refused(client, world, settings):
    settings.CAPTURE_MAX_BODY_BYTES = 1000
    body = json.dumps(batch_body([sdk_event("e", "d-1", properties={"pad": "x" * 2000})], "phc_x")).encode()
    response = post_raw(
        client,
        "/batch/",
        b"",
        CONTENT_LENGTH="",
        **{"wsgi.input": io.BytesIO(body), "wsgi.input_terminated": True},
    )
    assert response.status_code == 413
    assert response.json()["code"] == "request_too_large"
    assert not Event.objects.exists()
