"""HTTP pieces shared by versioned records: the bodies of their bespoke errors (as documented
in the schema; llm_server.errors renders them), version summaries, and the cached, conditional
answers of the reads by name (a version, a resolve page; see llm_server.payload_cache)."""

from collections.abc import Callable
from typing import Any

from django.http import HttpResponseBase
from rest_framework import serializers
from rest_framework.response import Response

from llm_server import payload_cache, versioning
from llm_server.accounts.models import Team
from llm_server.domain import ObjectNotFound
from llm_server.serializers import ResolveQuerySerializer, UserBasicSerializer, VersionQuerySerializer


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


def version_param(query_params) -> int | None:
    """`?version=N` of a read by name; the serializer only runs when the parameter is there."""
    if "version" not in query_params:
        return None
    query = VersionQuerySerializer(query_params=query_params)
    query.is_valid(raise_exception=True)
    return query.validated_data.get("version")


def _item_key(kind: str, team: Team, name: str, state: versioning.VersionState) -> str:
    return payload_cache.digest(kind, team.pk, name, state.row_id, state.latest_version, state.creator)


def _item_payload(
    key: str,
    state: versioning.VersionState,
    *,
    get_row: Callable[[str], Any],
    serializer: type[serializers.Serializer],
) -> tuple[Any, bool]:
    """The payload of the version `state` names, and whether it is the one `key` stands for.

    On a miss the row is read again (by id) with its history's derived fields; a write committed
    between the two reads shows in them, and that payload is answered but neither cached nor tagged.
    """
    payload = payload_cache.get(key)
    if payload is not None:
        return payload, True
    row = get_row(state.row_id)
    payload = serializer(row).data
    if versioning.state_of(row) != (state.row_id, state.latest_version):
        return payload, False
    payload_cache.put(key, payload)
    return payload, True


def _answer(request, payload: Any, tag: str | None) -> Response:
    response = Response(payload)
    if tag is not None:
        response["ETag"] = tag
    return response


def version_response(
    request,
    *,
    kind: str,
    team: Team,
    name: str,
    state: versioning.VersionState | None,
    get_row: Callable[[str], Any],
    serializer: type[serializers.Serializer],
) -> HttpResponseBase:
    """A read by name: 404 without a version, 304 if the client holds this state, else the payload
    (cached per state; `kind` names the shape). `get_row(row_id)` reads the version on a miss."""
    if state is None:
        raise ObjectNotFound(name)
    key = _item_key(kind, team, name, state)
    tag = payload_cache.etag(key)
    if payload_cache.none_match(request, tag):
        return payload_cache.not_modified(tag)
    payload, exact = _item_payload(key, state, get_row=get_row, serializer=serializer)
    return _answer(request, payload, tag if exact else None)


def creator_state(user) -> tuple | None:
    return None if user is None else (user.pk, *(getattr(user, c) for c in versioning.CREATOR_COLUMNS))


def _row_state(row) -> tuple:
    """Everything of a row read by get_version that its full representation shows and that can
    change: the history's derived fields and the creator (content columns never change)."""
    return (
        row.pk.hex,
        row.latest_version,
        row.version_count,
        row.first_version_created_at.isoformat(),
        row.updated_at.isoformat(),
        creator_state(row.created_by),
    )


def _summary_state(row) -> tuple:
    return (
        row.pk.hex,
        row.version,
        row.is_latest,
        row.created_at.isoformat(),
        creator_state(row.created_by),
    )


def resolve_response(
    request,
    *,
    kind: str,
    team: Team,
    name: str,
    get_row: Callable[..., Any],
    key: str,
    row_serializer: type[serializers.Serializer],
    summary_serializer: type[serializers.Serializer],
    annotate: Callable[[Any, list], tuple[Any, Callable[[], dict]]] | None = None,
) -> HttpResponseBase:
    """A resolve route's answer: the chosen version (latest, `version` and/or `version_id`) under
    `key`, and a page of the history, newest first, with `has_more`.

    `annotate(row, versions)` may attach more to the rows (a prompt's labels) and returns the
    state that addition depends on (part of the key) and a builder of its extra body keys.

    The rows are read as before (the same queries whether or not the answer is cached); the ETag
    and cache key cover what they show, so serializing happens only for a combination not seen."""
    query = ResolveQuerySerializer(query_params=request.query_params)
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
    extra_state, extra_body = annotate(row, versions) if annotate else (None, dict)
    body_key = payload_cache.digest(
        "resolve",
        kind,
        team.pk,
        name,
        _row_state(row),
        tuple(map(_summary_state, versions)),
        has_more,
        extra_state,
    )
    tag = payload_cache.etag(body_key)
    if payload_cache.none_match(request, tag):
        return payload_cache.not_modified(tag)
    body = payload_cache.get(body_key)
    if body is None:
        body = {
            key: row_serializer(row).data,
            "versions": summary_serializer(versions, many=True).data,
            "has_more": has_more,
            **extra_body(),
        }
        payload_cache.put(body_key, body)
    return _answer(request, body, tag)
