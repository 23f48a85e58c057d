"""Datasets and their items (datasets spec §2): evaluation sets of input/output pairs."""

from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q
from django.utils import timezone

from llm_server.accounts.models import Team, User
from llm_server.ids import uuid7
from llm_server.soft_delete import SoftDeleteModel

# "Deleted is not true": null counts as visible (datasets spec §2.1, case 25). List queries filter
# with exactly this condition so the planner can match the partial indexes below.
VISIBLE = ~Q(deleted=True)


class ProjectRecord(SoftDeleteModel):
    """What datasets and items share: a time-ordered id, the project, soft delete, authorship."""

    id = models.UUIDField(primary_key=True, default=uuid7, editable=False)
    team = models.ForeignKey(Team, on_delete=models.CASCADE, related_name="+")
    # Nullable, unlike the shared default: clients may store `deleted: null`.
    deleted = models.BooleanField(null=True, default=False)
    created_by = models.ForeignKey(User, on_delete=models.SET_NULL, null=True, blank=True, related_name="+")
    created_at = models.DateTimeField(default=timezone.now, editable=False)
    updated_at = models.DateTimeField(auto_now=True, null=True)

    class Meta:
        abstract = True
        ordering = ["-created_at", "id"]


class Dataset(ProjectRecord):
    name = models.CharField(max_length=400)
    # null and "" are different values to clients (spec §2.1), hence null=True on text.
    description = models.TextField(null=True, blank=True)  # noqa: DJ001
    metadata = models.JSONField(null=True, blank=True)

    class Meta(ProjectRecord.Meta):
        indexes = [
            models.Index(
                fields=["team", "-created_at", "id"], condition=VISIBLE, name="dataset_visible_list_idx"
            ),
        ]

    def __str__(self) -> str:
        return self.name


class DatasetItem(ProjectRecord):
    dataset = models.ForeignKey(Dataset, on_delete=models.CASCADE, related_name="items")
    input = models.JSONField(null=True, blank=True)
    output = models.JSONField(null=True, blank=True)
    metadata = models.JSONField(null=True, blank=True)
    ref_trace_id = models.CharField(max_length=255, null=True, blank=True)  # noqa: DJ001 (null ≠ "")
    ref_timestamp = models.DateTimeField(null=True, blank=True)
    ref_source_id = models.CharField(max_length=255, null=True, blank=True)  # noqa: DJ001

    class Meta(ProjectRecord.Meta):
        indexes = [
            # The two list paths (datasets spec §5.1): one dataset's items, and all of a project's,
            # newest first. Both walk the index in order, so a deep offset never sorts.
            models.Index(
                fields=["team", "dataset", "-created_at", "id"],
                condition=VISIBLE,
                name="item_visible_by_dataset_idx",
            ),
            models.Index(
                fields=["team", "-created_at", "id"], condition=VISIBLE, name="item_visible_list_idx"
            ),
        ]

    def __str__(self) -> str:
        return str(self.id)

    def clean(self) -> None:
        # Operators edit items in the admin; the API enforces the same rule (decision 5).
        if self.dataset_id and self.team_id and self.dataset.team_id != self.team_id:
            raise ValidationError({"dataset": "The dataset belongs to another project."})
