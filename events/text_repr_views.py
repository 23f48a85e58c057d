"""HTTP layer of `POST …/llm_analytics/text_repr/`: validates the body, answers from the selectors."""

from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiExample, OpenApiResponse, extend_schema
from rest_framework import status
from rest_framework.request import Request
from rest_framework.response import Response

from events import text_repr_selectors
from events.text_repr_serializers import TextReprResponseSerializer, TextReprSerializer
from llm_server.throttling import PersonalAPIKeyRateThrottle, endpoint_throttles
from llm_server.viewsets import ProjectScopedViewSet

DESCRIPTION = """Render an `$ai_generation`, `$ai_embedding`, `$ai_span` or a whole `$ai_trace` as plain text.

Long content blocks are shortened in the middle (`truncated`, `truncate_buffer`); `include_markers`
chooses `<<<...>>>` markers (for a UI) or plain text (for an LLM); the whole text is kept within
`max_length` (default 2,000,000) by dropping chunks of lines, deterministically.

Beyond PostHog: leave out `data` and pass `event_id` (a stored event's uuid, or a trace id) to render
what this project stored; a trace is rebuilt as a tree from its stored events.

Body errors are answered with DRF's field dictionary (e.g. `{"event_type": ["This field is required."]}`);
a payload without the ids or structure its type needs with the error envelope; a value that cannot be
read with `{"error": "Invalid data format"}`."""


class TextReprViewSet(ProjectScopedViewSet):
    scope_object = "llm_analytics"
    # Other methods on this route are a 405 once the key's scope is checked.
    unmapped_method_scope = "read"

    throttle_classes = endpoint_throttles(
        PersonalAPIKeyRateThrottle, "text_repr", "RATE_LIMIT_TEXT_REPR", ("burst", "sustained")
    )

    @extend_schema(
        tags=["llm_analytics"],
        description=DESCRIPTION,
        request=TextReprSerializer,
        responses={
            200: TextReprResponseSerializer,
            400: OpenApiResponse(OpenApiTypes.OBJECT, description="Invalid body or payload."),
            404: OpenApiResponse(
                OpenApiTypes.OBJECT, description="No stored event or trace with `event_id`."
            ),
            500: OpenApiResponse(OpenApiTypes.OBJECT, description="The payload could not be rendered."),
        },
        examples=[
            OpenApiExample(
                "Generation",
                request_only=True,
                value={
                    "event_type": "$ai_generation",
                    "data": {
                        "id": "gen_123",
                        "event": "$ai_generation",
                        "properties": {
                            "$ai_input": [{"role": "user", "content": "What is the capital of France?"}],
                            "$ai_output_choices": [{"role": "assistant", "content": "Paris."}],
                        },
                    },
                    "options": {"include_markers": False},
                },
            ),
            OpenApiExample("Stored trace", request_only=True, value={"event_id": "<trace id>"}),
        ],
    )
    def create(self, request: Request, *args, **kwargs) -> Response:
        serializer = TextReprSerializer(data=request.data)
        if not serializer.is_valid():
            # This endpoint answers body errors with DRF's own dictionary, not the envelope.
            return Response(serializer.errors, status=status.HTTP_400_BAD_REQUEST)
        values = serializer.validated_data
        body = text_repr_selectors.text_representation(
            team=self.team,
            event_type=values.get("event_type"),
            data=values.get("data"),
            event_id=values.get("event_id"),
            options=values.get("options"),
            use_stored="data" not in values,
        )
        return Response(body)
