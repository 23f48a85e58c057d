"""Input the database cannot store or the parsers choke on is a 400, never a 500."""

import json

import pytest
from jsonschema import Draft4Validator

from scores.models import ScoreDefinition
from tests.api import bearer, validation
from tests.scores.helpers import GOOD_BAD, unsupported_keys


def post_raw(scorers, world, path: str, text: str):
    return scorers.client.post(
        scorers.url(path),
        text.encode("utf-8", "surrogatepass"),
        content_type="application/json",
        **bearer(world.k_rw),
    )


@pytest.mark.parametrize(
    ("body", "attr"),
    [
        ({"name": "a\x00b", "kind": "boolean", "config": {}}, "name"),
        ({"name": "ok", "description": "a\x00b", "kind": "boolean", "config": {}}, "description"),
        ({"name": "ok", "kind": "boolean", "config": {"true_label": "a\x00b"}}, "config__true_label"),
        (
            {"name": "ok", "kind": "categorical", "config": {"options": [{"key": "a", "label": "\x00"}]}},
            "config__options__0__label",
        ),
        (
            {"name": "ok", "kind": "categorical", "config": {"options": [{"key": "a\x00", "label": "A"}]}},
            "config__options__0__key",
        ),
    ],
)
def test_null_characters(scorers, body, attr):
    response = scorers.post("", body)
    assert response.status_code == 400
    assert response.json()["attr"] == attr
    assert not ScoreDefinition.objects.exists()


def test_lone_surrogates(scorers, world):
    body = json.dumps({"name": "\ud800", "kind": "boolean", "config": {}})
    response = post_raw(scorers, world, "", body)
    assert response.status_code == 400
    assert response.json()["attr"] == "name"

    body = json.dumps({"name": "ok", "kind": "boolean", "config": {"true_label": "x\udfff"}})
    assert post_raw(scorers, world, "", body).json()["attr"] == "config__true_label"
    assert not ScoreDefinition.objects.exists()


def test_odd_unknown_keys_are_named_safely(scorers):
    response = scorers.post("", {"name": "ok", "kind": "boolean", "config": {"a\x00": 1, "é'\"": 2}})
    assert response.status_code == 400
    assert response.json()["detail"] == unsupported_keys("boolean", ["a\x00", "é'\""])


def test_nul_in_query_parameters(scorers, quality):
    assert scorers.get("", {"search": "\x00"}).json()["results"] == []
    response = scorers.get("", {"kind": "\x00"})
    assert response.status_code == 400
    assert response.json()["attr"] == "kind"
    assert scorers.get("", {"order_by": "\x00"}).status_code == 400


def test_huge_and_deep_values(scorers, quality, world):
    response = post_raw(
        scorers, world, f"{quality.id}/new_version/", '{"config": ' + "[" * 5000 + "]" * 5000 + "}"
    )
    assert response.status_code == 400
    response = scorers.new_version(quality.id, {"config": GOOD_BAD, "base_version": 10**30})
    assert response.status_code == 409
    response = post_raw(scorers, world, "", '{"name": "x", "kind": "numeric", "config": {"min": 1e999}}')
    assert response.status_code == 400


FORM = "application/x-www-form-urlencoded"
TOO_DEEP = "Value cannot be nested more than 200 levels deep."


def post_form(scorers, world, path: str, body: str):
    return scorers.client.post(scorers.url(path), body, content_type=FORM, **bearer(world.k_rw))


def test_form_config_nested_too_deeply_to_decode_is_a_400(scorers, quality, world):
    deep = "[" * 5000 + "]" * 5000
    response = post_form(scorers, world, "", f"name=x&kind=numeric&config={deep}")
    assert response.status_code == 400
    assert response.json() == validation("config", "invalid_input", TOO_DEEP)
    assert list(ScoreDefinition.objects.values_list("name", flat=True)) == ["Quality"]

    response = post_form(scorers, world, f"{quality.id}/new_version/", f"config={deep}")
    assert response.status_code == 400
    assert response.json() == validation("config", "invalid_input", TOO_DEEP)
    quality.refresh_from_db()
    assert quality.current_version.version == 1


def test_config_schema_admits_every_kind_of_stored_config(client, db, scorers):
    """Configs of different kinds can share a shape (`{}` is a numeric and a boolean config), so
    the documented union must accept a value matching several of its variants."""
    schema = client.get("/api/schema/?format=json").json()
    components = schema["components"]["schemas"]
    for name in ("ScoreDefinitionConfig", "ScoreDefinitionConfigRequest"):
        assert "oneOf" not in components[name]
        assert len(components[name]["anyOf"]) == 3

    validator = Draft4Validator(
        {"$ref": "#/components/schemas/ScoreDefinitionConfig", "components": {"schemas": components}}
    )
    bodies = [
        {"name": "q", "kind": "categorical", "config": {"options": [{"key": "good", "label": "Good"}]}},
        {"name": "n", "kind": "numeric", "config": {}},
        {"name": "b", "kind": "boolean", "config": {}},
        {"name": "r", "kind": "boolean", "config": {"true_label": "Yes", "false_label": "No"}},
    ]
    for body in bodies:
        response = scorers.post("", body)
        assert response.status_code == 201
        assert not list(validator.iter_errors(response.json()["config"])), body
