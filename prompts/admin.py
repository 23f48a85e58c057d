"""Operators browse prompt histories (rows are read-only: history is append-only), see each
prompt's labels with their moves, and set, move or remove labels through the same services as
the API."""

from django import forms
from django.contrib import admin, messages
from django.urls import reverse
from django.utils.html import format_html, format_html_join

from llm_server.admin import LargeTableAdminMixin
from llm_server.domain import DomainError
from llm_server.versioned_admin import ReadOnlyAdminMixin, VersionedRecordAdmin
from prompts import selectors, services
from prompts.labels import MAX_LABELS_PER_PROMPT, label_name_problem
from prompts.models import LLMPrompt, LLMPromptLabel, LLMPromptLabelMove

# Moves shown on a prompt's page; the move log's own page has all of them.
RECENT_MOVES = 20


def _version_text(version: int | None) -> str:
    return "-" if version is None else f"v{version}"


@admin.register(LLMPrompt)
class LLMPromptAdmin(VersionedRecordAdmin):
    archive_service = staticmethod(services.archive_prompt)
    record_noun = "prompt"
    search_fields = ["name", "id"]
    readonly_fields = [
        "id", "team", "name", "version", "is_latest", "deleted", "deleted_at", "prompt", "config",
        "variables", "version_description", "prompt_size_bytes", "outline", "created_by", "created_at",
        "updated_at", "history", "labels_of_prompt", "recent_label_moves",
    ]  # fmt: skip
    fields = readonly_fields

    @admin.display(description="Labels (every label of this prompt)")
    def labels_of_prompt(self, obj: LLMPrompt) -> str:
        labels = selectors.labels_of(team=obj.team_id, name=obj.name) if not obj.deleted else []
        items = format_html_join(
            "",
            '<li><a href="{}">{}</a> &rarr; v{}{}</li>',
            (
                (
                    reverse("admin:prompts_llmpromptlabel_change", args=[label.pk]),
                    label.name,
                    label.prompt.version,
                    " (this version)" if label.prompt_id == obj.pk else "",
                )
                for label in labels
            ),
        )
        add_url = reverse("admin:prompts_llmpromptlabel_add") + f"?team={obj.team_id}&prompt_name={obj.name}"
        return format_html('<ul>{}</ul><a href="{}">Set a label…</a>', items, add_url)

    @admin.display(description="Recent label moves")
    def recent_label_moves(self, obj: LLMPrompt) -> str:
        moves = LLMPromptLabelMove.objects.filter(team_id=obj.team_id, prompt_name=obj.name).select_related(
            "moved_by"
        )[:RECENT_MOVES]
        items = format_html_join(
            "",
            "<li>{}: {} &rarr; {} by {} at {}</li>",
            (
                (
                    move.label,
                    _version_text(move.from_version),
                    _version_text(move.to_version),
                    move.moved_by or "-",
                    move.moved_at.isoformat(),
                )
                for move in moves
            ),
        )
        return format_html("<ul>{}</ul>", items) if items else "-"


class LabelForm(forms.ModelForm):
    """Sets a label to a version: the version is checked here, the write is the label service's."""

    version = forms.IntegerField(min_value=1, help_text="The version of the prompt the label points at.")

    class Meta:
        model = LLMPromptLabel
        fields = ["team", "prompt_name", "name"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if not self.instance._state.adding:
            self.fields["version"].initial = self.instance.prompt.version

    def clean(self) -> dict:
        cleaned = super().clean()
        team = cleaned.get("team") or getattr(self.instance, "team", None)
        prompt_name = cleaned.get("prompt_name") or self.instance.prompt_name
        name = cleaned.get("name") or self.instance.name
        version = cleaned.get("version")
        if name:
            problem = label_name_problem(name)
            if problem:
                self.add_error("name" if "name" in self.fields else None, problem[0])
        if team and prompt_name and version:
            if not selectors.prompt_exists(team=team, name=prompt_name):
                self.add_error(None, f"No active prompt named '{prompt_name}' in this project.")
            elif not LLMPrompt.objects.filter(
                team=team, name=prompt_name, deleted=False, version=version
            ).exists():
                self.add_error("version", f"Version {version} of prompt '{prompt_name}' not found.")
            elif self._creates_beyond_limit(team, prompt_name, name):
                self.add_error(None, f"A prompt can have at most {MAX_LABELS_PER_PROMPT} labels.")
        return cleaned

    @staticmethod
    def _creates_beyond_limit(team, prompt_name: str, name: str | None) -> bool:
        labels = LLMPromptLabel.objects.filter(team=team, prompt_name=prompt_name)
        return not labels.filter(name=name).exists() and labels.count() >= MAX_LABELS_PER_PROMPT

    def _get_validation_exclusions(self):
        # Setting an existing label moves it (the service decides), so the one-label-per-name
        # constraint is not checked on the form; the name rules are checked in clean().
        return super()._get_validation_exclusions() | {"name"}


@admin.register(LLMPromptLabel)
class LLMPromptLabelAdmin(admin.ModelAdmin):
    form = LabelForm
    list_display = ["prompt_name", "name", "version", "team", "created_by", "updated_at"]
    list_filter = ["team"]
    list_select_related = ["team", "created_by", "prompt"]
    search_fields = ["prompt_name", "name"]
    ordering = ["team", "prompt_name", "name"]

    @admin.display(description="Version", ordering="prompt__version")
    def version(self, obj: LLMPromptLabel) -> int:
        return obj.prompt.version

    def get_readonly_fields(self, request, obj=None):
        # An existing label can only be moved: its prompt and name identify it.
        return ["team", "prompt_name", "name", "created_by", "created_at", "updated_at"] if obj else []

    def get_changeform_initial_data(self, request) -> dict:
        return {key: request.GET[key] for key in ("team", "prompt_name", "name") if key in request.GET}

    def save_model(self, request, obj: LLMPromptLabel, form, change: bool) -> None:
        try:
            label, _ = services.set_label(
                team=obj.team,
                prompt_name=obj.prompt_name,
                label=obj.name,
                version=form.cleaned_data["version"],
                user=request.user,
            )
        except DomainError as exc:  # a concurrent archive or move between the form check and the write
            self.message_user(request, str(getattr(exc, "message", exc)), messages.ERROR)
            return
        obj.pk = label.pk
        obj.__dict__.update({key: value for key, value in label.__dict__.items() if key != "_state"})
        obj._state.adding = False

    def delete_model(self, request, obj: LLMPromptLabel) -> None:
        self._remove(request, obj)

    def delete_queryset(self, request, queryset) -> None:
        for label in queryset.select_related("team"):
            self._remove(request, label)

    def _remove(self, request, label: LLMPromptLabel) -> None:
        try:
            services.remove_label(
                team=label.team, prompt_name=label.prompt_name, label=label.name, user=request.user
            )
        except DomainError as exc:
            self.message_user(request, str(getattr(exc, "message", exc)), messages.ERROR)


@admin.register(LLMPromptLabelMove)
class LLMPromptLabelMoveAdmin(LargeTableAdminMixin, ReadOnlyAdminMixin, admin.ModelAdmin):
    list_display = ["prompt_name", "label", "from_version", "to_version", "moved_by", "moved_at", "team"]
    list_filter = ["team"]
    list_select_related = ["team", "moved_by"]
    search_fields = ["prompt_name", "label"]
    ordering = ["-moved_at", "-id"]
