"""Operator pages for accounts: users, organizations, projects, memberships and keys."""

from django import forms
from django.contrib import admin, messages
from django.contrib.auth.admin import UserAdmin as DjangoUserAdmin

from llm_server.accounts import services
from llm_server.accounts.models import (
    Organization,
    OrganizationMembership,
    PersonalAPIKey,
    Project,
    Team,
    User,
)
from llm_server.scopes import InvalidScope, validate_scopes


class MembershipInline(admin.TabularInline):
    model = OrganizationMembership
    extra = 0
    autocomplete_fields = ["user"]
    readonly_fields = ["joined_at"]


@admin.register(Organization)
class OrganizationAdmin(admin.ModelAdmin):
    list_display = ["name", "id", "is_ai_data_processing_approved", "created_at"]
    list_filter = ["is_ai_data_processing_approved"]
    search_fields = ["name", "id"]
    readonly_fields = ["id", "created_at", "updated_at"]
    inlines = [MembershipInline]
    actions = ["approve_ai_data_processing", "revoke_ai_data_processing"]

    @admin.action(description="Approve AI data processing (enables the LLM-backed endpoints)")
    def approve_ai_data_processing(self, request, queryset):
        updated = services.set_ai_data_processing_approved(
            organization_ids=list(queryset.values_list("pk", flat=True)), approved=True
        )
        self.message_user(request, f"Approved AI data processing for {updated} organization(s).")

    @admin.action(description="Revoke AI data processing approval")
    def revoke_ai_data_processing(self, request, queryset):
        updated = services.set_ai_data_processing_approved(
            organization_ids=list(queryset.values_list("pk", flat=True)), approved=False
        )
        self.message_user(request, f"Revoked AI data processing for {updated} organization(s).")


class ProjectCreationForm(forms.ModelForm):
    class Meta:
        model = Project
        fields = ["organization", "name"]


@admin.register(Project)
class ProjectAdmin(admin.ModelAdmin):
    list_display = ["id", "name", "organization", "api_token", "created_at"]
    list_filter = ["organization"]
    search_fields = ["name", "id", "team__api_token", "organization__name"]
    readonly_fields = ["id", "api_token", "created_at"]

    @admin.display(description="Project API token")
    def api_token(self, obj: Project) -> str:
        team = getattr(obj, "team", None)
        return team.api_token if team else "-"

    def get_form(self, request, obj=None, **kwargs):
        if obj is None:
            kwargs["form"] = ProjectCreationForm
        return super().get_form(request, obj, **kwargs)

    def get_readonly_fields(self, request, obj=None):
        return ["created_at"] if obj is None else self.readonly_fields

    def get_fields(self, request, obj=None):
        return (
            ["organization", "name"]
            if obj is None
            else ["id", "organization", "name", "api_token", "created_at"]
        )

    def save_model(self, request, obj, form, change):
        if change:
            services.update_project(project=obj, name=obj.name, organization=obj.organization)
            return
        # A new project gets its environment (Team) with the same id, through the service.
        team = services.create_project(organization=obj.organization, name=obj.name)
        obj.pk = team.project_id
        obj.id = team.project_id
        obj._state.adding = False


@admin.register(Team)
class TeamAdmin(admin.ModelAdmin):
    list_display = ["id", "name", "organization", "api_token", "created_at"]
    list_filter = ["organization"]
    search_fields = ["name", "id", "api_token"]
    # Edited through its Project, so the two never disagree.
    readonly_fields = [
        "id",
        "uuid",
        "name",
        "project",
        "organization",
        "api_token",
        "created_at",
        "updated_at",
    ]
    fields = ["id", "uuid", "name", "organization", "project", "api_token", "created_at", "updated_at"]

    def has_add_permission(self, request) -> bool:
        # Environments are created with their project.
        return False


@admin.register(User)
class UserAdmin(DjangoUserAdmin):
    ordering = ["email"]
    list_display = ["email", "first_name", "last_name", "is_active", "is_staff", "current_team"]
    list_filter = ["is_active", "is_staff", "is_superuser", "role_at_organization"]
    search_fields = ["email", "first_name", "last_name", "distinct_id"]
    readonly_fields = ["uuid", "distinct_id", "date_joined", "last_login"]
    fieldsets = [
        (None, {"fields": ["email", "password", "uuid", "distinct_id"]}),
        (
            "Profile",
            {
                "fields": [
                    "first_name",
                    "last_name",
                    "role_at_organization",
                    "is_email_verified",
                    "hedgehog_config",
                ]
            },
        ),
        ("Current context", {"fields": ["current_organization", "current_team"]}),
        ("Permissions", {"fields": ["is_active", "is_staff", "is_superuser", "groups", "user_permissions"]}),
        ("Dates", {"fields": ["last_login", "date_joined"]}),
    ]
    add_fieldsets = [(None, {"classes": ["wide"], "fields": ["email", "password1", "password2"]})]
    inlines = [MembershipInline]


@admin.register(OrganizationMembership)
class OrganizationMembershipAdmin(admin.ModelAdmin):
    list_display = ["user", "organization", "level", "joined_at"]
    list_filter = ["level", "organization"]
    search_fields = ["user__email", "organization__name"]
    autocomplete_fields = ["user", "organization"]

    def save_model(self, request, obj, form, change):
        super().save_model(request, obj, form, change)
        services.add_member(user=obj.user, organization=obj.organization, level=obj.level)


class PersonalAPIKeyCreationForm(forms.ModelForm):
    scopes_text = forms.CharField(
        label="Scopes", initial="*", help_text="Comma-separated, e.g. llm_prompt:read,dataset:write or *"
    )
    scoped_teams_text = forms.CharField(
        label="Scoped projects", required=False, help_text="Comma-separated project ids; empty = all"
    )

    class Meta:
        model = PersonalAPIKey
        fields = ["user", "label"]

    def clean_scopes_text(self) -> list[str]:
        scopes = [s.strip() for s in self.cleaned_data["scopes_text"].split(",") if s.strip()]
        try:
            return validate_scopes(scopes) if scopes else []
        except InvalidScope as exc:
            raise forms.ValidationError(str(exc)) from exc

    def clean_scoped_teams_text(self) -> list[int]:
        text = self.cleaned_data.get("scoped_teams_text") or ""
        try:
            ids = [int(t) for t in text.split(",") if t.strip()]
        except ValueError as exc:
            raise forms.ValidationError("Scoped projects must be comma-separated integer ids.") from exc
        known = set(
            Team.objects.filter(pk__in=[i for i in ids if 0 < i < 2**63]).values_list("pk", flat=True)
        )
        unknown = [i for i in ids if i not in known]
        if unknown:
            raise forms.ValidationError(f"Unknown project id: {unknown[0]}.")
        return ids

    def clean(self):
        cleaned = super().clean()
        user = cleaned.get("user")
        if user and PersonalAPIKey.objects.filter(user=user).count() >= PersonalAPIKey.MAX_PER_USER:
            raise forms.ValidationError(
                "You can only have 10 personal API keys. Remove an existing key before creating a new one."
            )
        if not cleaned.get("scopes_text") and "scopes_text" not in self.errors:
            self.add_error("scopes_text", "A key needs at least one scope; use * for full access.")
        return cleaned


@admin.register(PersonalAPIKey)
class PersonalAPIKeyAdmin(admin.ModelAdmin):
    list_display = ["label", "mask_value", "user", "scopes", "created_at", "last_used_at"]
    list_filter = ["created_at", "last_used_at"]
    search_fields = ["label", "user__email", "mask_value", "id"]
    readonly_fields = [
        "id",
        "user",
        "mask_value",
        "scopes",
        "scoped_teams",
        "scoped_organizations",
        "created_at",
        "last_used_at",
        "last_rolled_at",
    ]
    fields = [*readonly_fields[:2], "label", *readonly_fields[2:]]
    autocomplete_fields = ["user"]

    def get_form(self, request, obj=None, **kwargs):
        if obj is None:
            kwargs["form"] = PersonalAPIKeyCreationForm
        return super().get_form(request, obj, **kwargs)

    def get_fields(self, request, obj=None):
        return ["user", "label", "scopes_text", "scoped_teams_text"] if obj is None else self.fields

    def get_readonly_fields(self, request, obj=None):
        return [] if obj is None else self.readonly_fields

    def save_model(self, request, obj, form, change):
        if change:
            super().save_model(request, obj, form, change)
            return
        created = services.create_personal_api_key(
            user=obj.user,
            label=obj.label,
            scopes=form.cleaned_data["scopes_text"],
            scoped_teams=form.cleaned_data["scoped_teams_text"] or None,
        )
        obj.pk = created.key.pk
        obj.mask_value = created.key.mask_value
        obj.secure_value = created.key.secure_value
        obj._state.adding = False
        # The raw key exists only now; the database keeps its hash.
        self.message_user(
            request,
            f"Personal API key created. Copy it now, it will not be shown again: {created.raw_value}",
            level=messages.WARNING,
        )
