"""HTTP layer of `POST …/llm_analytics/translate/`."""

from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiExample, OpenApiResponse, extend_schema
from rest_framework.request import Request
from rest_framework.response import Response

from assist import services
from assist.serializers import TranslateResponseSerializer, TranslateSerializer
from llm_server.throttling import PersonalAPIKeyRateThrottle, endpoint_throttles
from llm_server.viewsets import AIFeatureViewSet

DESCRIPTION = """Translate a text with the server's model (any OpenAI-compatible API: `LLM_API_BASE_URL`,
`LLM_API_KEY`, `LLM_MODEL`).

The organization must have approved AI data processing first (403 until then). Without a configured
model the answer is 503 `llm_not_configured`; any failure of the model is a 500 `translation_error`."""


class TranslateViewSet(AIFeatureViewSet):
    scope_object = "llm_analytics"
    ai_feature = "translation"
    throttle_classes = endpoint_throttles(
        PersonalAPIKeyRateThrottle, "translate", "RATE_LIMIT_TRANSLATE", ("burst", "sustained", "daily")
    )

    @extend_schema(
        tags=["llm_analytics"],
        description=DESCRIPTION,
        request=TranslateSerializer,
        responses={
            200: TranslateResponseSerializer,
            400: OpenApiResponse(OpenApiTypes.OBJECT, description="Invalid body."),
            403: OpenApiResponse(OpenApiTypes.OBJECT, description="AI data processing not approved."),
            500: OpenApiResponse(OpenApiTypes.OBJECT, description="The model failed (`translation_error`)."),
            503: OpenApiResponse(OpenApiTypes.OBJECT, description="No model configured."),
        },
        examples=[
            OpenApiExample(
                "Spanish", request_only=True, value={"text": "Hello world", "target_language": "es"}
            ),
            OpenApiExample(
                "Translated",
                response_only=True,
                value={"translation": "Hola mundo", "detected_language": None, "provider": "openai"},
            ),
        ],
    )
    def create(self, request: Request, *args, **kwargs) -> Response:
        serializer = TranslateSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        return Response(services.translate(**serializer.validated_data))
