"""Any saved or deleted account row may change who a request is or what it may reach: each one
invalidates llm_server.auth_cache (bulk writes do it in AccessQuerySet)."""

from django.db.models.signals import post_delete, post_save

from llm_server.accounts.models import Organization, OrganizationMembership, PersonalAPIKey, Team, User
from llm_server.auth_cache import invalidate


def user_saved_or_deleted(sender, instance: User, **kwargs) -> None:
    invalidate([instance.pk])


def user_row_saved(
    sender, instance: OrganizationMembership | PersonalAPIKey, created: bool, **kwargs
) -> None:
    # A new row concerns its user only; a changed one may have been moved from another user
    # (the admin can edit a membership's user), whom post_save does not name.
    invalidate([instance.user_id] if created else None)


def user_row_deleted(sender, instance: OrganizationMembership | PersonalAPIKey, **kwargs) -> None:
    invalidate([instance.user_id])


def shared_row_saved_or_deleted(sender, **kwargs) -> None:
    # Projects (api_token, organization) and organizations (AI-processing approval) are seen by
    # every member: every entry goes.
    invalidate()


def connect() -> None:
    post_save.connect(user_saved_or_deleted, sender=User, dispatch_uid="auth_cache_user_saved")
    post_delete.connect(user_saved_or_deleted, sender=User, dispatch_uid="auth_cache_user_deleted")
    for model in (OrganizationMembership, PersonalAPIKey):
        post_save.connect(user_row_saved, sender=model, dispatch_uid=f"auth_cache_{model.__name__}_saved")
        post_delete.connect(
            user_row_deleted, sender=model, dispatch_uid=f"auth_cache_{model.__name__}_deleted"
        )
    for model in (Team, Organization):
        post_save.connect(
            shared_row_saved_or_deleted, sender=model, dispatch_uid=f"auth_cache_{model.__name__}_saved"
        )
        post_delete.connect(
            shared_row_saved_or_deleted, sender=model, dispatch_uid=f"auth_cache_{model.__name__}_deleted"
        )
