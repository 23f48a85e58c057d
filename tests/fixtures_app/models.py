"""A minimal project resource that exercises the platform's shared pieces in tests."""

from django.db import models

from llm_server.accounts.models import Team, User
from llm_server.ids import uuid7
from llm_server.soft_delete import SoftDeleteModel


class Widget(SoftDeleteModel):
    id = models.UUIDField(primary_key=True, default=uuid7, editable=False)
    team = models.ForeignKey(Team, on_delete=models.CASCADE)
    name = models.CharField(max_length=255)
    description = models.CharField(max_length=255, blank=True, default="")
    created_by = models.ForeignKey(User, on_delete=models.SET_NULL, null=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)
