"""Shared serializer pieces: the embedded user (platform spec §9)."""

from typing import Any

from rest_framework import serializers

from llm_server.accounts.models import User
from llm_server.versioning import NAME_MAX_LENGTH, name_errors

HEDGEHOG_KEYS = ("use_as_profile", "color", "accessories", "skin")
ACTOR_OPTION_KEYS = ("color", "accessories", "skin")


def public_hedgehog_config(stored: Any) -> dict | None:
    """Only the four public keys; version-2 configs keep the last three under `actor_options`."""
    if not isinstance(stored, dict) or not stored:
        return None
    actor_options = stored.get("actor_options") if stored.get("version") == 2 else None
    source_for_actor = actor_options if isinstance(actor_options, dict) else stored
    config = {"use_as_profile": stored.get("use_as_profile")}
    for key in ACTOR_OPTION_KEYS:
        config[key] = source_for_actor.get(key)
    return config


class UserBasicSerializer(serializers.ModelSerializer):
    hedgehog_config = serializers.SerializerMethodField()

    class Meta:
        model = User
        fields = [
            "id",
            "uuid",
            "distinct_id",
            "first_name",
            "last_name",
            "email",
            "is_email_verified",
            "hedgehog_config",
            "role_at_organization",
        ]
        read_only_fields = fields

    def get_hedgehog_config(self, user: User) -> dict | None:
        return public_hedgehog_config(user.hedgehog_config)


def json_contains_nul(value: Any) -> bool:
    """Whether a string or key anywhere in a JSON value holds U+0000, which PostgreSQL's jsonb
    cannot store (the write would fail as a server error instead of a 400)."""
    if isinstance(value, str):
        return "\x00" in value
    if isinstance(value, dict):
        return any(json_contains_nul(key) or json_contains_nul(item) for key, item in value.items())
    if isinstance(value, list):
        return any(json_contains_nul(item) for item in value)
    return False


class RecordNameField(serializers.CharField):
    """A versioned record's name: ≤255 chars, not `new`, letters/digits/`-`/`_` only."""

    def __init__(self, **kwargs):
        kwargs.setdefault("max_length", NAME_MAX_LENGTH)
        super().__init__(**kwargs)

    def run_validators(self, value: str) -> None:
        # Length first, then the name rules, so only the first broken rule is reported.
        super().run_validators(value)
        problem = name_errors(value)
        if problem:
            message, code = problem
            raise serializers.ValidationError(message, code=code)


class QueryParamsSerializer(serializers.Serializer):
    """Validates query parameters; blank values count as absent."""

    def __init__(self, *args, query_params=None, **kwargs):
        if query_params is not None:
            kwargs["data"] = {key: value for key, value in query_params.items() if value.strip() != ""}
        super().__init__(*args, **kwargs)
