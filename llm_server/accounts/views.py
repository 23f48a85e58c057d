"""`/api/organizations/<id|@current>/`: read the caller's organization and, as one of its admins,
approve (or revoke) AI data processing, which gates the LLM-backed endpoints."""

import uuid

from drf_spectacular.utils import OpenApiExample, extend_schema
from rest_framework import exceptions, serializers, viewsets
from rest_framework.permissions import IsAuthenticated
from rest_framework.request import Request
from rest_framework.response import Response

from llm_server.accounts import services
from llm_server.accounts.models import Organization, OrganizationMembership, PersonalAPIKey
from llm_server.permissions import APIScopePermission

CURRENT_ORGANIZATION = "@current"
ADMIN_LEVELS = (OrganizationMembership.Level.ADMIN, OrganizationMembership.Level.OWNER)


class OrganizationSerializer(serializers.ModelSerializer):
    class Meta:
        model = Organization
        fields = ["id", "name", "is_ai_data_processing_approved", "created_at", "updated_at"]
        read_only_fields = ["id", "name", "created_at", "updated_at"]


class OrganizationViewSet(viewsets.GenericViewSet):
    scope_object = "organization"
    # Other methods (PUT, DELETE) are a 405 once the key's write scope is checked.
    unmapped_method_scope = "write"
    permission_classes = [IsAuthenticated, APIScopePermission]
    serializer_class = OrganizationSerializer

    def get_object(self) -> Organization:
        """The organization addressed, if the caller is a member of it (404 otherwise)."""
        user = self.request.user
        segment = self.kwargs.get("pk", "")
        if segment == CURRENT_ORGANIZATION:
            organization_id = user.current_organization_id
            if organization_id is None and user.current_team_id:
                organization_id = user.current_team.organization_id
        else:
            try:
                organization_id = uuid.UUID(segment)
            except ValueError as exc:
                raise exceptions.NotFound() from exc
        organization = Organization.objects.filter(pk=organization_id, memberships__user=user).first()
        if organization is None:
            raise exceptions.NotFound()
        key = self.request.auth if isinstance(self.request.auth, PersonalAPIKey) else None
        if (
            key is not None
            and key.scoped_organizations
            and str(organization.pk) not in key.scoped_organizations
        ):
            raise exceptions.PermissionDenied(
                f"API key does not have access to the requested organization: ID {organization.pk}."
            )
        return organization

    @extend_schema(tags=["organizations"])
    def retrieve(self, request: Request, *args, **kwargs) -> Response:
        return Response(OrganizationSerializer(self.get_object()).data)

    @extend_schema(
        tags=["organizations"],
        description="Only `is_ai_data_processing_approved` can be changed, by an admin or the owner.",
        examples=[
            OpenApiExample("Approve", request_only=True, value={"is_ai_data_processing_approved": True})
        ],
    )
    def partial_update(self, request: Request, *args, **kwargs) -> Response:
        organization = self.get_object()
        level = (
            OrganizationMembership.objects.filter(organization=organization, user=request.user)
            .values_list("level", flat=True)
            .first()
        )
        if level not in ADMIN_LEVELS:
            raise exceptions.PermissionDenied("Your organization access level is insufficient.")
        serializer = OrganizationSerializer(organization, data=request.data, partial=True)
        serializer.is_valid(raise_exception=True)
        if "is_ai_data_processing_approved" in serializer.validated_data:
            services.set_ai_data_processing_approved(
                organization_ids=[organization.pk],
                approved=serializer.validated_data["is_ai_data_processing_approved"],
            )
            organization.refresh_from_db()
        return Response(OrganizationSerializer(organization).data)
