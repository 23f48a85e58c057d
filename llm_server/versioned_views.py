"""HTTP answers for the domain errors of versioned records (prompts, skills, score definitions).

Their specs word every error the same way with only the record's noun changed, and send these
bodies as built here (the 404/409/limit bodies carry no `type`/`code`).
"""

from collections.abc import Callable
from functools import wraps
from typing import Any

from rest_framework import serializers, status
from rest_framework.request import Request
from rest_framework.response import Response

from llm_server import versioning
from llm_server.accounts.models import Team
from llm_server.domain import NameTaken, ObjectNotFound, VersionConflict, VersionLimitReached
from llm_server.errors import validation_error
from llm_server.serializers import ResolveQuerySerializer, UserBasicSerializer


class NotFoundBodySerializer(serializers.Serializer):
    detail = serializers.CharField()


class ConflictBodySerializer(serializers.Serializer):
    detail = serializers.CharField()
    current_version = serializers.IntegerField()


class HistoryMessages:
    """The client-visible messages of one kind of versioned record."""

    def __init__(self, noun: str):
        self.noun = noun
        self.title = noun[:1].upper() + noun[1:]

    def not_found(self, name: str) -> str:
        return f"{self.title} with name '{name}' not found."

    @property
    def name_taken(self) -> str:
        return f"A {self.noun} with this name already exists."

    @property
    def conflict(self) -> str:
        return f"The {self.noun} changed since you opened it. Reload the latest version and try again."

    def limit(self, limit: int) -> str:
        return (
            f"{self.title} has reached the maximum of {limit} versions. "
            f"Archive and recreate the {self.noun} to continue publishing."
        )


def history_errors(
    messages: HistoryMessages, *, name_kwarg: str, plain_name_taken_attrs: frozenset[str] = frozenset()
) -> Callable[[Callable], Callable]:
    """Maps ObjectNotFound, NameTaken, VersionConflict and VersionLimitReached raised by a view.

    A name clash is a validation envelope (code `unique`) unless its attr is listed in
    `plain_name_taken_attrs`, whose spec wants the bare `{"attr", "detail"}` body.
    """

    def decorate(view_method: Callable) -> Callable:
        @wraps(view_method)
        def wrapper(self, request: Request, *args, **kwargs):
            try:
                return view_method(self, request, *args, **kwargs)
            except ObjectNotFound as exc:
                name = kwargs.get(name_kwarg) or exc.message
                return Response({"detail": messages.not_found(name)}, status=status.HTTP_404_NOT_FOUND)
            except NameTaken as exc:
                attr = exc.attr or "name"
                if attr in plain_name_taken_attrs:
                    return Response(
                        {"attr": attr, "detail": messages.name_taken}, status=status.HTTP_400_BAD_REQUEST
                    )
                raise validation_error(messages.name_taken, attr=attr, code="unique") from exc
            except VersionConflict as exc:
                return Response(
                    {"detail": messages.conflict, "current_version": exc.current_version},
                    status=status.HTTP_409_CONFLICT,
                )
            except VersionLimitReached as exc:
                return Response({"detail": messages.limit(exc.limit)}, status=status.HTTP_400_BAD_REQUEST)

        return wrapper

    return decorate


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
