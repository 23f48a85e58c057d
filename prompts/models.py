from django.db import models
from django.utils import timezone

from llm_server.accounts.models import Team, User
from llm_server.ids import uuid7
from llm_server.text_edits import outline
from llm_server.versioning import NAME_MAX_LENGTH, VersionedRecord
from prompts import payload_text

LABEL_MAX_LENGTH = 128
VERSION_DESCRIPTION_MAX_LENGTH = 400


class LLMPrompt(VersionedRecord):
    """One immutable version of a named prompt."""

    # Carried forward by publish and copied by duplicate; `version_description` belongs to one version.
    CONTENT_FIELDS = ("prompt", "config", "variables")
    SUMMARY_FIELDS = (*VersionedRecord.SUMMARY_FIELDS, "version_description")

    # Any JSON value but null: usually a string, sometimes a chat template object or list.
    prompt = models.JSONField()
    # Model parameters or any settings the app reads; schemaless.
    config = models.JSONField(null=True, blank=True, default=None)
    # Declared template variables: {name: {"type", "required", "default"}}.
    variables = models.JSONField(null=True, blank=True, default=None)
    # Null is "no description", which is what the API shows.
    version_description = models.CharField(  # noqa: DJ001
        max_length=VERSION_DESCRIPTION_MAX_LENGTH, null=True, blank=True, default=None
    )
    # Derived from `prompt` on insert (rows never change), so lists can sort by size and show
    # outlines without reading megabytes of payloads.
    prompt_size_bytes = models.PositiveIntegerField(default=0, editable=False)
    outline = models.JSONField(default=list, editable=False)

    class Meta(VersionedRecord.Meta):
        verbose_name = "LLM prompt version"

    # Set by the selectors that read labels; a version just written has none.
    @property
    def label_names(self) -> list[str]:
        """Names of the labels pointing at this version, sorted."""
        return self.__dict__.get("_label_names", [])

    @property
    def all_labels(self) -> list[dict]:
        """Every label of this prompt, as [{"name", "version"}] sorted by name."""
        return self.__dict__.get("_all_labels", [])

    @property
    def prompt_preview(self) -> str:
        return payload_text.preview(self.prompt)

    def save(self, *args, **kwargs):
        if self._state.adding:
            self.prompt_size_bytes = payload_text.size_bytes(self.prompt)
            self.outline = outline(payload_text.display_text(self.prompt))
        super().save(*args, **kwargs)


class LLMPromptLabel(models.Model):
    """A movable pointer from a label name (`production`) to one version row of a prompt.

    Moving it updates this row only; the version rows stay as written. One per (project, prompt,
    label name), which keeps a fetch by label single-valued."""

    id = models.UUIDField(primary_key=True, default=uuid7, editable=False)
    team = models.ForeignKey(Team, on_delete=models.CASCADE, related_name="+")
    prompt_name = models.CharField(max_length=NAME_MAX_LENGTH)
    name = models.CharField(max_length=LABEL_MAX_LENGTH)
    prompt = models.ForeignKey(LLMPrompt, on_delete=models.CASCADE, related_name="labels")
    created_by = models.ForeignKey(User, on_delete=models.SET_NULL, null=True, blank=True, related_name="+")
    created_at = models.DateTimeField(default=timezone.now, editable=False)
    # Bumped by a move only; setting a label to the version it is on changes nothing.
    updated_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = "LLM prompt label"
        ordering = ["team", "prompt_name", "name"]
        constraints = [
            models.UniqueConstraint(
                fields=["team", "prompt_name", "name"], name="prompts_one_label_per_name"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.prompt_name}:{self.name}"


class LLMPromptLabelMove(models.Model):
    """One change of a label's target, appended in the transaction that changed it and never
    edited: `from_version` is null when the label was created, `to_version` when it was removed."""

    id = models.UUIDField(primary_key=True, default=uuid7, editable=False)
    team = models.ForeignKey(Team, on_delete=models.CASCADE, related_name="+")
    prompt_name = models.CharField(max_length=NAME_MAX_LENGTH)
    label = models.CharField(max_length=LABEL_MAX_LENGTH)
    from_version = models.PositiveIntegerField(null=True, blank=True)
    to_version = models.PositiveIntegerField(null=True, blank=True)
    moved_by = models.ForeignKey(User, on_delete=models.SET_NULL, null=True, blank=True, related_name="+")
    moved_at = models.DateTimeField(default=timezone.now, editable=False)

    class Meta:
        verbose_name = "LLM prompt label move"
        ordering = ["-moved_at", "-id"]
        indexes = [
            models.Index(fields=["team", "prompt_name", "label", "moved_at"], name="prompt_label_move_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.prompt_name}:{self.label} {self.from_version} → {self.to_version}"
