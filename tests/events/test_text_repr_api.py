"""text_repr over HTTP: scopes, routing, methods, throttles, the cache and query counts."""

import pytest

from tests.api import method_not_allowed, missing_scope, permission_denied
from tests.events.text_repr_helpers import SEP, body_of, event, input_section, lines, post, text_repr_url
from tests.factories import make_key

GEN = "$ai_generation"
BODY = {"event_type": GEN, "data": event(**{"$ai_input": "hi"})}
HI = lines(*input_section("hi"))


@pytest.mark.parametrize("scopes", [["*"], ["llm_analytics:write"], ["dataset:read", "llm_analytics:write"]])
def test_keys_with_the_write_scope(client, world, scopes):
    response = post(client, world, BODY, key=make_key(world.user, scopes))
    assert response.status_code == 200
    assert response.json() == body_of(HI)


@pytest.mark.parametrize("scopes", [["llm_analytics:read"], ["user:read"], ["dataset:write"]])
def test_keys_without_the_write_scope(client, world, scopes):
    response = post(client, world, BODY, key=make_key(world.user, scopes))
    assert response.status_code == 403
    assert response.json() == missing_scope("llm_analytics:write")


def test_key_scoped_to_another_project(client, world):
    response = post(client, world, BODY, key=world.k_scoped)
    assert response.status_code == 403
    assert response.json() == permission_denied(
        f"API key does not have access to the requested project: ID {world.t}."
    )
    assert post(client, world, BODY, key=world.k_scoped, project=world.team2.id).status_code == 200


@pytest.mark.parametrize("prefix", ["projects", "environments"])
@pytest.mark.parametrize("slash", ["/", ""])
def test_both_prefixes_optional_slash_and_current(client, world, prefix, slash):
    for project in (world.t, "@current"):
        url = text_repr_url(project, prefix).rstrip("/") + slash
        response = client.post(url, BODY, format="json", HTTP_AUTHORIZATION=f"Bearer {world.k_all}")
        assert response.status_code == 200
        assert response.json() == body_of(HI)


@pytest.mark.parametrize("method", ["get", "put", "patch", "delete"])
def test_other_methods_are_405_after_the_scope_check(client, world, method):
    response = getattr(client, method)(text_repr_url(world.t), HTTP_AUTHORIZATION=f"Bearer {world.k_all}")
    assert response.status_code == 405
    assert response.json() == method_not_allowed(method)
    response = getattr(client, method)(
        text_repr_url(world.t), HTTP_AUTHORIZATION=f"Bearer {make_key(world.user, ['dataset:read'])}"
    )
    assert response.status_code == 403


def test_form_bodies_carry_json_text(client, world):
    form = {"event_type": GEN, "data": '{"id": "gen123", "properties": {"$ai_input": "hi"}}'}
    response = client.post(
        text_repr_url(world.t), form, format="multipart", HTTP_AUTHORIZATION=f"Bearer {world.k_all}"
    )
    assert response.status_code == 200
    assert response.json() == body_of(HI)
    # In a JSON body the same text is a string, not an event.
    response = post(client, world, form)
    assert response.status_code == 400


def test_throttled_per_key_with_retry_after(client, world, settings):
    settings.RATE_LIMIT_ENABLED = True
    settings.RATE_LIMIT_TEXT_REPR_BURST = "2/minute"
    for _ in range(2):
        assert post(client, world, BODY).status_code == 200
    response = post(client, world, BODY)
    assert response.status_code == 429
    body = response.json()
    assert (body["type"], body["code"], body["attr"]) == ("throttled_error", "throttled", None)
    assert body["detail"].startswith("Request was throttled. Expected available in ")
    assert int(response["Retry-After"]) > 0
    # Each key has its own bucket; the platform-wide limits are not this endpoint's.
    assert post(client, world, BODY, key=world.k_rw).status_code == 200


def test_sessions_are_not_throttled(client, world, settings):
    settings.RATE_LIMIT_ENABLED = True
    settings.RATE_LIMIT_TEXT_REPR_BURST = "1/minute"
    client.force_login(world.user)
    for _ in range(3):
        assert client.post(text_repr_url(world.t), BODY, format="json").status_code == 200


def test_answers_are_cached_per_payload_and_options(client, world, monkeypatch):
    calls = []
    from events import text_repr_selectors

    real_render = text_repr_selectors.render

    def counting_render(*args, **kwargs):
        calls.append(args)
        return real_render(*args, **kwargs)

    monkeypatch.setattr(text_repr_selectors, "render", counting_render)
    first = post(client, world, BODY)
    again = post(client, world, BODY)
    assert first.content == again.content
    assert len(calls) == 1
    # Same id, other payload: not the cached text.
    other = post(client, world, {"event_type": GEN, "data": event(**{"$ai_input": "bye"})})
    assert other.json()["text"] == lines(SEP, "", "INPUT:", "", "bye")
    # Same payload, other options, or another project: rendered again.
    post(client, world, {**BODY, "options": {"include_line_numbers": True}})
    post(client, world, BODY, project=world.team2.id)
    assert len(calls) == 4


def test_query_count_of_a_posted_payload(client, world, django_assert_max_num_queries):
    post(client, world, BODY)  # the key's last-used time is written once
    with django_assert_max_num_queries(2):
        assert post(client, world, {**BODY, "options": {"collapsed": True}}).status_code == 200


def test_a_large_payload_renders(client, world):
    hierarchy = [
        {"event": {"id": f"g{i}", "event": GEN, "properties": {"$ai_input": "x" * 5000, "$ai_latency": i}}}
        for i in range(200)
    ]
    data = {"trace": {"id": "big", "properties": {}}, "hierarchy": hierarchy}
    response = post(
        client, world, {"event_type": "$ai_trace", "data": data, "options": {"max_length": 20_000}}
    )
    assert response.status_code == 200
    body = response.json()
    assert body["metadata"]["truncated"] is True
    assert body["metadata"]["char_count"] <= 20_000


def test_lone_surrogates_are_replaced(client, world):
    raw = b'{"event_type": "$ai_generation", "data": {"id": {"k": "g\\ud800"}, "properties": {"$ai_input": "a\\ud800b"}}}'
    response = client.generic(
        "POST",
        text_repr_url(world.t),
        raw,
        content_type="application/json",
        HTTP_AUTHORIZATION=f"Bearer {world.k_all}",
    )
    assert response.status_code == 200
    body = response.json()
    assert body["text"] == lines(*input_section("a\ufffdb"))
    assert body["metadata"]["event_id"] == {"k": "g\ufffd"}


def test_very_large_answers_are_not_cached(client, world, monkeypatch):
    from events import text_repr_selectors

    monkeypatch.setattr(text_repr_selectors, "CACHE_MAX_CHARS", 50)
    calls = []
    real_render = text_repr_selectors.render
    monkeypatch.setattr(
        text_repr_selectors, "render", lambda *a, **k: calls.append(a) or real_render(*a, **k)
    )
    big = {"event_type": GEN, "data": event(**{"$ai_input": "x" * 100})}
    first, second = post(client, world, big), post(client, world, big)
    assert first.content == second.content
    assert len(calls) == 2
