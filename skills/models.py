from django.db import models

from llm_server.versioning import VersionedRecord
from skills.content import DEFAULT_CONTENT_TYPE


class LLMSkill(VersionedRecord):
    """One immutable version of a named agent skill; its files hang off it."""

    MAX_FILES = 50
    CONTENT_FIELDS = (
        "description",
        "body",
        "outline",
        "license",
        "compatibility",
        "allowed_tools",
        "metadata",
    )

    description = models.TextField()
    # SKILL.md without frontmatter.
    body = models.TextField()
    # Derived from `body` when the version is written; the body never changes after
    # that, and lists can then show outlines without reading megabytes of bodies.
    outline = models.JSONField(default=list, editable=False)
    license = models.CharField(max_length=255, blank=True, default="")
    compatibility = models.CharField(max_length=500, blank=True, default="")
    allowed_tools = models.JSONField(default=list, blank=True)
    metadata = models.JSONField(default=dict, blank=True)

    class Meta(VersionedRecord.Meta):
        verbose_name = "LLM skill version"

    def child_copies(self) -> list["LLMSkillFile"]:
        return [
            LLMSkillFile(path=f.path, content=f.content, content_type=f.content_type)
            for f in LLMSkillFile.objects.filter(skill_version=self).order_by("id")
        ]


class LLMSkillFile(models.Model):
    """A file bundled with one skill version. Every version owns its own copies."""

    skill_version = models.ForeignKey(LLMSkill, on_delete=models.CASCADE, related_name="files")
    path = models.CharField(max_length=500)
    content = models.TextField()
    content_type = models.CharField(max_length=100, default=DEFAULT_CONTENT_TYPE)

    # The link a new version's files get on insert (llm_server.versioning.NewVersion).
    VERSION_FIELD = "skill_version"

    class Meta:
        # Insertion order: the manifest lists files as they were written.
        ordering = ["id"]
        constraints = [
            models.UniqueConstraint(
                fields=["skill_version", "path"], name="skills_file_unique_path_per_version"
            )
        ]
        verbose_name = "LLM skill file"

    def __str__(self) -> str:
        return self.path
