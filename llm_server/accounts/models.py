"""Organizations, projects (teams), users, memberships and personal API keys."""

import hashlib

from django.contrib.auth.base_user import AbstractBaseUser, BaseUserManager
from django.contrib.auth.models import PermissionsMixin
from django.db import models
from django.db.models.functions import Lower
from django.utils import timezone

from llm_server.auth_cache import invalidate as invalidate_auth_cache
from llm_server.ids import generate_distinct_id, generate_key_id, generate_project_api_token, uuid7


class AccessQuerySet(models.QuerySet):
    """Rows the access checks read, and llm_server.auth_cache caches. Saves and deletes invalidate
    that cache through signals (accounts/signals.py); the bulk writes below send none, so they do it.

    `owner_field` names the user a row concerns: a write then invalidates only that user's entries.
    Rows of no one user (projects, organizations) invalidate every entry."""

    owner_field: str | None = None

    def update(self, **kwargs) -> int:
        owners = None
        if self.owner_field is not None and not kwargs.keys() & {"user", "user_id"}:
            # The users concerned, read first: the update may change which rows match. (A row moved
            # to another user concerns two: that invalidates every entry.)
            owners = list(self.values_list(self.owner_field, flat=True))
        updated = super().update(**kwargs)
        if updated:
            invalidate_auth_cache(owners)
        return updated

    def bulk_create(self, objs, *args, **kwargs):
        created = super().bulk_create(objs, *args, **kwargs)
        invalidate_auth_cache(
            None if self.owner_field is None else [getattr(obj, self.owner_field) for obj in created]
        )
        return created

    def bulk_update(self, objs, *args, **kwargs) -> int:
        updated = super().bulk_update(objs, *args, **kwargs)
        if updated:
            # The users the rows belonged to before are not known here: every entry goes.
            invalidate_auth_cache()
        return updated


class OwnedByUserQuerySet(AccessQuerySet):
    owner_field = "user_id"


class UserQuerySet(AccessQuerySet):
    owner_field = "pk"


class Organization(models.Model):
    id = models.UUIDField(primary_key=True, default=uuid7, editable=False)
    name = models.CharField(max_length=64)
    # Gates the LLM-backed endpoints; off until an admin approves, as upstream.
    is_ai_data_processing_approved = models.BooleanField(default=False)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    objects = AccessQuerySet.as_manager()

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class Project(models.Model):
    """The user-facing project. Its id is shared with its primary Team."""

    id = models.BigIntegerField(primary_key=True)
    organization = models.ForeignKey(Organization, on_delete=models.CASCADE, related_name="projects")
    name = models.CharField(max_length=200)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["id"]

    def __str__(self) -> str:
        return f"{self.name} ({self.id})"


class Team(models.Model):
    """The environment every resource row belongs to (`team_id`); same id as its Project."""

    id = models.BigAutoField(primary_key=True)
    uuid = models.UUIDField(default=uuid7, unique=True, editable=False)
    organization = models.ForeignKey(Organization, on_delete=models.CASCADE, related_name="teams")
    project = models.OneToOneField(
        Project, on_delete=models.CASCADE, related_name="team", null=True, blank=True
    )
    name = models.CharField(max_length=200)
    api_token = models.CharField(max_length=200, unique=True, default=generate_project_api_token)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    objects = AccessQuerySet.as_manager()

    class Meta:
        ordering = ["id"]
        verbose_name = "project environment"

    def __str__(self) -> str:
        return f"{self.name} ({self.id})"


class UserManager(BaseUserManager.from_queryset(UserQuerySet)):
    use_in_migrations = True

    def create_user(self, email: str, password: str | None = None, **fields) -> "User":
        if not email:
            raise ValueError("An email address is required.")
        user = self.model(email=self.normalize_email(email), **fields)
        if password:
            user.set_password(password)
        else:
            user.set_unusable_password()
        user.save(using=self._db)
        return user

    def create_superuser(self, email: str, password: str | None = None, **fields) -> "User":
        fields.setdefault("is_staff", True)
        fields.setdefault("is_superuser", True)
        return self.create_user(email, password, **fields)


# What other users see of a user (the API's embedded `created_by`), after its id.
USER_PUBLIC_COLUMNS = (
    "uuid",
    "distinct_id",
    "first_name",
    "last_name",
    "email",
    "is_email_verified",
    "hedgehog_config",
    "role_at_organization",
)


class User(AbstractBaseUser, PermissionsMixin):
    class Role(models.TextChoices):
        ENGINEERING = "engineering"
        DATA = "data"
        PRODUCT = "product"
        FOUNDER = "founder"
        LEADERSHIP = "leadership"
        MARKETING = "marketing"
        SALES = "sales"
        OTHER = "other"

    uuid = models.UUIDField(default=uuid7, unique=True, editable=False)
    email = models.EmailField(max_length=254, unique=True)
    first_name = models.CharField(max_length=150, blank=True, default="")
    last_name = models.CharField(max_length=150, blank=True, default="")
    distinct_id = models.CharField(
        max_length=200, null=True, blank=True, unique=True, default=generate_distinct_id
    )
    is_email_verified = models.BooleanField(null=True, blank=True)
    # Nullable on purpose: the API reports an unset role as null.
    role_at_organization = models.CharField(  # noqa: DJ001
        max_length=64, choices=Role.choices, null=True, blank=True
    )
    hedgehog_config = models.JSONField(null=True, blank=True)
    is_active = models.BooleanField(default=True)
    is_staff = models.BooleanField(default=False, help_text="Can log into the admin site.")
    current_organization = models.ForeignKey(
        Organization, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    current_team = models.ForeignKey(Team, on_delete=models.SET_NULL, null=True, blank=True, related_name="+")
    date_joined = models.DateTimeField(default=timezone.now)

    objects = UserManager()

    USERNAME_FIELD = "email"
    EMAIL_FIELD = "email"
    REQUIRED_FIELDS: list[str] = []

    class Meta:
        ordering = ["id"]
        constraints = [
            # Emails identify people: `Ada@x.com` and `ada@x.com` are one account.
            models.UniqueConstraint(Lower("email"), name="unique_user_email_case_insensitive"),
        ]

    def __str__(self) -> str:
        return self.email


class OrganizationMembership(models.Model):
    class Level(models.IntegerChoices):
        MEMBER = 1, "member"
        ADMIN = 8, "admin"
        OWNER = 15, "owner"

    id = models.UUIDField(primary_key=True, default=uuid7, editable=False)
    organization = models.ForeignKey(Organization, on_delete=models.CASCADE, related_name="memberships")
    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="organization_memberships")
    level = models.PositiveSmallIntegerField(choices=Level.choices, default=Level.MEMBER)
    joined_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    objects = OwnedByUserQuerySet.as_manager()

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["organization", "user"], name="unique_organization_membership"),
            models.UniqueConstraint(
                fields=["organization"],
                condition=models.Q(level=15),
                name="only_one_owner_per_organization",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.user} in {self.organization} ({self.get_level_display()})"


def hash_key_value(raw_key: str) -> str:
    # surrogatepass: a key from a JSON body may hold lone surrogates; it must hash (and not match).
    return "sha256$" + hashlib.sha256(raw_key.encode("utf-8", "surrogatepass")).hexdigest()


def mask_key_value(raw_key: str) -> str:
    if len(raw_key) < 16:
        return "********"
    return f"{raw_key[:4]}...{raw_key[-4:]}"


class PersonalAPIKeyQuerySet(OwnedByUserQuerySet):
    def mark_used(self, when) -> int:
        """Sets `last_used_at` without invalidating the auth cache: no access check reads it, and each
        key's hourly write would otherwise empty the cache of every worker."""
        return models.QuerySet.update(self, last_used_at=when)


class PersonalAPIKey(models.Model):
    MAX_PER_USER = 10

    id = models.CharField(primary_key=True, max_length=50, default=generate_key_id, editable=False)
    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="personal_api_keys")
    label = models.CharField(max_length=40)
    # Only the hash is kept; the raw key is shown once, when it is created.
    secure_value = models.CharField(max_length=300, unique=True, editable=False)
    mask_value = models.CharField(max_length=11, editable=False)
    scopes = models.JSONField(default=list)
    scoped_teams = models.JSONField(null=True, blank=True)
    scoped_organizations = models.JSONField(null=True, blank=True)
    created_at = models.DateTimeField(default=timezone.now)
    last_used_at = models.DateTimeField(null=True, blank=True)
    last_rolled_at = models.DateTimeField(null=True, blank=True)

    objects = PersonalAPIKeyQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at"]
        verbose_name = "personal API key"

    def __str__(self) -> str:
        return f"{self.label} ({self.mask_value})"

    def set_raw_value(self, raw_key: str) -> None:
        self.secure_value = hash_key_value(raw_key)
        self.mask_value = mask_key_value(raw_key)
