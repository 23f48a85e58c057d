from django.db import models

from llm_server.versioning import VersionedRecord


class LLMPrompt(VersionedRecord):
    """One immutable version of a named prompt."""

    CONTENT_FIELDS = ("prompt",)

    # Any JSON value but null: usually a string, sometimes a chat template object or list.
    prompt = models.JSONField()

    class Meta(VersionedRecord.Meta):
        verbose_name = "LLM prompt version"
