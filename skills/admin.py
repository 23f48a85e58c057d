"""Operators browse skill histories and their files; rows are read-only (history is append-only)."""

from django.contrib import admin
from django.urls import reverse
from django.utils.html import format_html

from llm_server.versioned_admin import ReadOnlyAdminMixin, VersionedRecordAdmin
from skills import services
from skills.models import LLMSkill, LLMSkillFile


class LLMSkillFileInline(ReadOnlyAdminMixin, admin.TabularInline):
    model = LLMSkillFile
    fields = ["path", "content_type", "size", "open"]
    readonly_fields = fields
    extra = 0
    show_change_link = False

    @admin.display(description="bytes")
    def size(self, obj: LLMSkillFile) -> int:
        return len(obj.content.encode("utf-8"))

    @admin.display(description="content")
    def open(self, obj: LLMSkillFile) -> str:
        return format_html(
            '<a href="{}">view</a>', reverse("admin:skills_llmskillfile_change", args=[obj.pk])
        )


@admin.register(LLMSkill)
class LLMSkillAdmin(VersionedRecordAdmin):
    archive_service = staticmethod(services.archive_skill)
    record_noun = "skill"
    search_fields = ["name", "description", "id"]
    readonly_fields = [
        "id", "team", "name", "version", "is_latest", "deleted", "deleted_at", "description", "body",
        "outline", "license", "compatibility", "allowed_tools", "metadata", "created_by", "created_at",
        "updated_at", "history",
    ]  # fmt: skip
    fields = readonly_fields
    inlines = [LLMSkillFileInline]


@admin.register(LLMSkillFile)
class LLMSkillFileAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    list_display = ["path", "content_type", "skill_version", "skill_team"]
    list_filter = ["content_type", "skill_version__team"]
    search_fields = ["path", "skill_version__name"]
    list_select_related = ["skill_version", "skill_version__team"]
    raw_id_fields = ["skill_version"]
    fields = ["skill_version", "path", "content_type", "content"]
    readonly_fields = fields

    @admin.display(description="project", ordering="skill_version__team")
    def skill_team(self, obj: LLMSkillFile):
        return obj.skill_version.team
