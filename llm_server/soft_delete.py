"""Soft delete, both upstream patterns (DELETE refused, or DELETE flags the row), written once."""

from collections.abc import Collection, Mapping, Sequence
from typing import Any, TypeVar

from django.db import models, transaction
from django.http import HttpResponse
from django.utils import timezone
from drf_spectacular.utils import extend_schema
from rest_framework.request import Request
from rest_framework.response import Response


class SoftDeleteModel(models.Model):
    # A resource whose clients may store `deleted: null` overrides this with null=True.
    deleted = models.BooleanField(default=False)
    deleted_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        abstract = True


def deleted_at_after(previous_at, was_deleted: bool | None, deleted: bool | None):
    """When a row counts as deleted from: the first time it was flagged, kept while it stays
    flagged, cleared once it is restored (or set to null)."""
    if deleted is not True:
        return None
    return previous_at if was_deleted is True and previous_at else timezone.now()


Row = TypeVar("Row", bound=SoftDeleteModel)


def apply_changes(
    instance: Row, changes: Mapping[str, Any], *, allowed: Collection[str] | None = None
) -> Row:
    """Writes the given fields, `deleted_at` with a change of `deleted` (see deleted_at_after), and
    `updated_at` when the model has one (always: an empty PATCH still touches it). Only those
    columns are written. `allowed` names the fields a caller may change; any other is a bug."""
    if allowed is not None and not set(changes) <= set(allowed):
        raise ValueError(f"Cannot change {sorted(set(changes) - set(allowed))} of {type(instance).__name__}.")
    fields = list(changes)
    if "deleted" in changes:
        instance.deleted_at = deleted_at_after(instance.deleted_at, instance.deleted, changes["deleted"])
        fields.append("deleted_at")
    for name, value in changes.items():
        setattr(instance, name, value)
    if any(f.name == "updated_at" for f in instance._meta.concrete_fields):
        instance.updated_at = timezone.now()
        fields.append("updated_at")
    instance.save(update_fields=fields)
    return instance


def set_deleted(instance: Row, deleted: bool = True) -> Row:
    """Flags (or restores) one row; only the flag columns (and `updated_at`) are written."""
    with transaction.atomic():
        return apply_changes(instance, {"deleted": deleted})


def set_rows_deleted(*, rows: Sequence[SoftDeleteModel], deleted: bool) -> int:
    """Flags (or restores) several rows in one transaction (the admin's actions)."""
    with transaction.atomic():
        for row in rows:
            apply_changes(row, {"deleted": deleted})
    return len(rows)


def forbidden_destroy_response() -> HttpResponse:
    """405 with no body and no Content-Type (pattern 1)."""
    response = HttpResponse(status=405)
    del response["Content-Type"]
    return response


FORBID_DESTROY_DESCRIPTION = (
    'Hard delete of this model is not allowed. Use a patch API call to set "deleted" to true'
)


class ForbidDestroyMixin:
    """Pattern 1: DELETE is refused (after auth and scope checks); PATCH `deleted: true` instead."""

    @extend_schema(description=FORBID_DESTROY_DESCRIPTION, responses={405: None})
    def destroy(self, request: Request, *args, **kwargs) -> HttpResponse:
        return forbidden_destroy_response()

    @property
    def allowed_methods(self) -> list[str]:
        # `Allow` (on this 405 and on OPTIONS) lists only methods that work: DELETE where it is
        # the refused destroy, not where a route maps it to an action of its own.
        methods = super().allowed_methods
        if getattr(self, "action_map", {}).get("delete", "destroy") == "destroy":
            methods = [method for method in methods if method != "DELETE"]
        return methods


class SoftDestroyMixin:
    """Pattern 2: DELETE flags the row deleted and answers 204; it then 404s everywhere."""

    @extend_schema(responses={204: None})
    def destroy(self, request: Request, *args, **kwargs) -> Response:
        set_deleted(self.get_object(), True)
        return Response(status=204)
