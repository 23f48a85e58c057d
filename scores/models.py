"""Scorers: score definitions, each with an append-only history of config versions.

A definition (the header) names a kind of score (categorical, numeric or boolean) and points at its
current version. Versions are immutable: a config change writes a new one (llm_server.versioning),
so a score given against version N keeps meaning what version N said.
"""

from django.db import models
from django.db.models import Q
from django.utils import timezone

from llm_server.accounts.models import Team, User
from llm_server.ids import uuid7

NAME_MAX_LENGTH = 255


class ScoreKind(models.TextChoices):
    CATEGORICAL = "categorical", "Categorical"
    NUMERIC = "numeric", "Numeric"
    BOOLEAN = "boolean", "Boolean"


class ScoreDefinition(models.Model):
    """A scorer of a project. Its kind is fixed at creation; there is no delete (scores refer to it)."""

    Kind = ScoreKind

    id = models.UUIDField(primary_key=True, default=uuid7, editable=False)
    team = models.ForeignKey(Team, on_delete=models.CASCADE, related_name="+")
    # Not unique: two scorers may share a name.
    name = models.CharField(max_length=NAME_MAX_LENGTH)
    description = models.TextField(default="", blank=True)
    kind = models.CharField(max_length=16, choices=ScoreKind.choices)
    archived = models.BooleanField(default=False)
    # RESTRICT: the current version cannot be deleted on its own, only together with its definition.
    current_version = models.ForeignKey(
        "ScoreDefinitionVersion", on_delete=models.RESTRICT, null=True, blank=True, related_name="+"
    )
    created_by = models.ForeignKey(User, on_delete=models.SET_NULL, null=True, blank=True, related_name="+")
    created_at = models.DateTimeField(default=timezone.now, editable=False)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["name", "id"]
        verbose_name = "scorer"
        indexes = [
            # The list: one project's active (or archived) scorers by name.
            models.Index(fields=["team", "archived", "name", "id"], name="score_def_list_idx"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(kind__in=ScoreKind.values), name="score_definition_kind_valid"
            ),
        ]

    def __str__(self) -> str:
        return self.name


class ScoreDefinitionVersion(models.Model):
    """One immutable config of a scorer. Written once, never updated."""

    id = models.UUIDField(primary_key=True, default=uuid7, editable=False)
    definition = models.ForeignKey(ScoreDefinition, on_delete=models.CASCADE, related_name="versions")
    version = models.PositiveIntegerField()
    # The validated config, normalized (scores.config).
    config = models.JSONField()
    created_by = models.ForeignKey(User, on_delete=models.SET_NULL, null=True, blank=True, related_name="+")
    created_at = models.DateTimeField(default=timezone.now, editable=False)

    class Meta:
        ordering = ["definition", "version"]
        verbose_name = "scorer version"
        constraints = [
            models.UniqueConstraint(fields=["definition", "version"], name="score_definition_version_unique"),
            models.CheckConstraint(condition=Q(version__gte=1), name="score_definition_version_positive"),
        ]

    def __str__(self) -> str:
        return f"v{self.version}"

    def save(self, *args, **kwargs) -> None:
        if not self._state.adding:
            raise TypeError("A scorer version is immutable: write a new version instead.")
        super().save(*args, **kwargs)
