"""Datasets and their items: evaluation sets of input/output pairs."""

from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q

from llm_server.records import ProjectRecord

# "Deleted is not true": null counts as visible. List queries filter
# with exactly this condition so the planner can match the partial indexes below.
VISIBLE = ~Q(deleted=True)


class DatasetRecord(ProjectRecord):
    """What datasets and items share: the project record, with a nullable `deleted`."""

    # Nullable, unlike the shared default: clients may store `deleted: null`.
    deleted = models.BooleanField(null=True, default=False)

    class Meta(ProjectRecord.Meta):
        abstract = True


class Dataset(DatasetRecord):
    name = models.CharField(max_length=400)
    # null and "" are different values to clients, hence null=True on text.
    description = models.TextField(null=True, blank=True)  # noqa: DJ001
    metadata = models.JSONField(null=True, blank=True)

    class Meta(DatasetRecord.Meta):
        indexes = [
            models.Index(
                fields=["team", "-created_at", "id"], condition=VISIBLE, name="dataset_visible_list_idx"
            ),
        ]

    def __str__(self) -> str:
        return self.name


class DatasetItem(DatasetRecord):
    dataset = models.ForeignKey(Dataset, on_delete=models.CASCADE, related_name="items")
    input = models.JSONField(null=True, blank=True)
    output = models.JSONField(null=True, blank=True)
    metadata = models.JSONField(null=True, blank=True)
    ref_trace_id = models.CharField(max_length=255, null=True, blank=True)  # noqa: DJ001 (null ≠ "")
    ref_timestamp = models.DateTimeField(null=True, blank=True)
    ref_source_id = models.CharField(max_length=255, null=True, blank=True)  # noqa: DJ001

    class Meta(DatasetRecord.Meta):
        indexes = [
            # The two list paths: one dataset's items, and all of a project's,
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
        # Operators edit items in the admin; the API enforces the same rule.
        if self.dataset_id and self.team_id and self.dataset.team_id != self.team_id:
            raise ValidationError({"dataset": "The dataset belongs to another project."})
