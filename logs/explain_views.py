"""HTTP layer of `POST …/logs/explainLogWithAI/`."""

from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiExample, OpenApiResponse, extend_schema
from rest_framework import status
from rest_framework.request import Request
from rest_framework.response import Response

from llm_server.throttling import CallerRateThrottle, endpoint_throttles
from llm_server.viewsets import AIFeatureViewSet
from logs import explain_services
from logs.explain_serializers import ExplainLogSerializer, LogExplanationSerializer

DESCRIPTION = """Explain one log record with the server's model (any OpenAI-compatible API: `LLM_API_BASE_URL`,
`LLM_API_KEY`, `LLM_MODEL`), as a structured answer: headline, severity, impact, probable causes,
immediate actions, technical explanation and key fields.

The log is found by `uuid` and `timestamp` (within a second). An explanation is served again from
the cache for an hour unless `force_refresh` is true. The organization must have approved AI data
processing first (403). Body errors are answered with DRF's field dictionary; an unknown log with
`{"error": "Log not found"}`; no configured model with 503 `llm_not_configured`."""


class ExplainLogViewSet(AIFeatureViewSet):
    scope_object = "logs"
    ai_feature = "log explanation"
    throttle_classes = endpoint_throttles(
        CallerRateThrottle, "log_explain", "RATE_LIMIT_LOG_EXPLAIN", ("burst", "sustained", "daily")
    )

    @extend_schema(
        tags=["logs"],
        operation_id="logs_explainLogWithAI_create",
        description=DESCRIPTION,
        request=ExplainLogSerializer,
        responses={
            200: LogExplanationSerializer,
            400: OpenApiResponse(OpenApiTypes.OBJECT, description="Invalid body, or the model sent nothing."),
            403: OpenApiResponse(OpenApiTypes.OBJECT, description="AI data processing not approved."),
            404: OpenApiResponse(OpenApiTypes.OBJECT, description='`{"error": "Log not found"}`'),
            500: OpenApiResponse(OpenApiTypes.OBJECT, description="The model failed."),
            503: OpenApiResponse(OpenApiTypes.OBJECT, description="No model configured."),
        },
        examples=[
            OpenApiExample(
                "Explain",
                request_only=True,
                value={"uuid": "01890c5e-7b1a-7000-8000-000000000000", "timestamp": "2026-01-01T12:00:00Z"},
            )
        ],
    )
    def create(self, request: Request, *args, **kwargs) -> Response:
        serializer = ExplainLogSerializer(data=request.data)
        if not serializer.is_valid():
            # This endpoint answers body errors with DRF's own dictionary, not the envelope.
            return Response(serializer.errors, status=status.HTTP_400_BAD_REQUEST)
        values = serializer.validated_data
        explanation = explain_services.explain_log(
            team=self.team,
            log_uuid=values["uuid"],
            timestamp=values["timestamp"],
            force_refresh=values["force_refresh"],
        )
        return Response(explanation)
