"""Operators browse prompt histories; rows are read-only (history is append-only)."""

from django.contrib import admin

from llm_server.versioned_admin import VersionedRecordAdmin
from prompts import services
from prompts.models import LLMPrompt


@admin.register(LLMPrompt)
class LLMPromptAdmin(VersionedRecordAdmin):
    archive_service = staticmethod(services.archive_prompt)
    record_noun = "prompt"
    search_fields = ["name", "id"]
    readonly_fields = [
        "id", "team", "name", "version", "is_latest", "deleted", "deleted_at", "prompt",
        "created_by", "created_at", "updated_at", "history",
    ]  # fmt: skip
    fields = readonly_fields
