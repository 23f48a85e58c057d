"""HTTP pieces shared by versioned records: the bodies of their bespoke errors (as documented
in the schema; llm_server.errors renders them), version summaries and the resolve answer."""

from collections.abc import Callable
from typing import Any

from rest_framework import serializers

from llm_server import versioning
from llm_server.accounts.models import Team
from llm_server.serializers import ResolveQuerySerializer, UserBasicSerializer


class NotFoundBodySerializer(serializers.Serializer):
    detail = serializers.CharField()


class ConflictBodySerializer(serializers.Serializer):
    detail = serializers.CharField()
    current_version = serializers.IntegerField()


def version_summary_serializer(model: type) -> type[serializers.ModelSerializer]:
    """The resolve route's one-line summary of a version of `model`."""

    class VersionSummarySerializer(serializers.ModelSerializer):
        created_by = UserBasicSerializer(read_only=True, allow_null=True)

        class Meta:
            fields = ["id", "version", "created_by", "created_at", "is_latest"]
            read_only_fields = fields

    VersionSummarySerializer.Meta.model = model
    VersionSummarySerializer.__name__ = f"{model.__name__}VersionSummarySerializer"
    VersionSummarySerializer.__qualname__ = VersionSummarySerializer.__name__
    return VersionSummarySerializer


def resolve_body(
    query_params,
    *,
    team: Team,
    name: str,
    get_row: Callable[..., Any],
    key: str,
    row_serializer: type[serializers.Serializer],
    summary_serializer: type[serializers.Serializer],
) -> dict[str, Any]:
    """A resolve route's answer: the chosen version (latest, `version` and/or `version_id`) under
    `key`, and a page of the history, newest first, with `has_more`."""
    query = ResolveQuerySerializer(query_params=query_params)
    query.is_valid(raise_exception=True)
    params = query.validated_data
    row = get_row(team=team, name=name, version=params.get("version"), row_id=params.get("version_id"))
    versions, has_more = versioning.version_page(
        type(row),
        team=team,
        name=name,
        limit=params["limit"],
        offset=params.get("offset", 0),
        before_version=params.get("before_version"),
    )
    return {
        key: row_serializer(row).data,
        "versions": summary_serializer(versions, many=True).data,
        "has_more": has_more,
    }
