"""Event capture, as the `posthog` SDKs send it. Not project-scoped: the token picks the project."""

from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework.renderers import JSONRenderer
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from events import selectors, services, wire
from events.domain import MissingApiKey
from events.serializers import CaptureBatchSerializer, CaptureResponseSerializer


class CaptureView(APIView):
    """`POST /batch/` and its aliases: JSON or gzip, one event, a list or a `batch`."""

    # Reads its raw body itself, under its own size limit (chunked bodies included).
    reads_own_body = True

    # The project token in the body is the only credential: no session, no CSRF, no throttles.
    authentication_classes: list = []
    permission_classes: list = []
    throttle_classes: list = []
    parser_classes: list = []
    renderer_classes = [JSONRenderer]

    @extend_schema(
        tags=["capture"],
        request=CaptureBatchSerializer,
        responses={
            200: CaptureResponseSerializer,
            400: OpenApiResponse(description="Malformed body, JSON or gzip"),
            401: OpenApiResponse(description="Missing or unknown project API key"),
            413: OpenApiResponse(description="Body (or decompressed body) too large"),
        },
        auth=[],
    )
    def post(self, request: Request) -> Response:
        payload = wire.read_payload(request._request)
        if payload.token is None:
            raise MissingApiKey()
        team_id = selectors.team_id_for_token(token=payload.token)
        services.capture_events(team_id=team_id, events=payload.events, sent_at=payload.sent_at)
        return Response({"status": 1})
