"""The abstract base of a project's records (datasets, items, and every resource alike)."""

from django.db import models
from django.utils import timezone

from llm_server.accounts.models import Team, User
from llm_server.ids import uuid7
from llm_server.soft_delete import SoftDeleteModel


class ProjectRecord(SoftDeleteModel):
    """A time-ordered id, the project, soft delete, authorship and timestamps.

    Written with `llm_server.soft_delete.apply_changes`. `deleted` is the shared non-null flag; a
    resource whose clients may store `deleted: null` overrides it with `null=True` (datasets do).
    """

    id = models.UUIDField(primary_key=True, default=uuid7, editable=False)
    team = models.ForeignKey(Team, on_delete=models.CASCADE, related_name="+")
    created_by = models.ForeignKey(User, on_delete=models.SET_NULL, null=True, blank=True, related_name="+")
    created_at = models.DateTimeField(default=timezone.now, editable=False)
    updated_at = models.DateTimeField(auto_now=True, null=True)

    class Meta:
        abstract = True
        ordering = ["-created_at", "id"]
