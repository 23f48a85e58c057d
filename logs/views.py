"""HTTP layer of logs: OTLP/HTTP ingest (the token picks the project) and the attribute keys."""

from datetime import UTC, datetime

from django.http import HttpResponse
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema
from rest_framework.negotiation import BaseContentNegotiation
from rest_framework.renderers import JSONRenderer
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from events.domain import MissingApiKey
from events.selectors import team_id_for_token
from llm_server.viewsets import ProjectScopedViewSet
from logs import selectors, serializers, services, wire
from logs.models import LogRecord


class FirstRendererNegotiation(BaseContentNegotiation):
    """OTLP exporters may ask for protobuf in `Accept`; errors are JSON whatever they ask for."""

    def select_parser(self, request, parsers):
        return parsers[0] if parsers else None

    def select_renderer(self, request, renderers, format_suffix=None):
        return renderers[0], renderers[0].media_type


class LogsIngestView(APIView):
    """`POST /i/v1/logs`: an OTLP/HTTP logs export, protobuf or JSON, gzip or not."""

    # Reads its raw body itself, under its own size limit (chunked bodies included).
    reads_own_body = True

    # The project token is the only credential: no session, no CSRF, no throttles.
    authentication_classes: list = []
    permission_classes: list = []
    throttle_classes: list = []
    parser_classes: list = []
    renderer_classes = [JSONRenderer]
    content_negotiation_class = FirstRendererNegotiation

    @extend_schema(
        tags=["logs"],
        description=(
            "OpenTelemetry logs (OTLP/HTTP): `application/x-protobuf` or OTLP/JSON (`application/json`), "
            "optionally gzip (`Content-Encoding: gzip`). Authenticate with `Authorization: Bearer phc_…` "
            "or `?token=phc_…`. Answers with an empty ExportLogsServiceResponse in the request's encoding."
        ),
        request={"application/x-protobuf": OpenApiTypes.BINARY, "application/json": OpenApiTypes.OBJECT},
        responses={
            200: OpenApiResponse(OpenApiTypes.OBJECT, description="Empty ExportLogsServiceResponse"),
            400: OpenApiResponse(description="Body that is not an OTLP logs export request"),
            401: OpenApiResponse(description="Missing or unknown project API key"),
            413: OpenApiResponse(description="Body (or decompressed body) too large"),
            415: OpenApiResponse(description="Neither protobuf nor JSON, or an unsupported encoding"),
        },
        auth=[],
    )
    def post(self, request: Request) -> HttpResponse:
        token = wire.token_of(request._request)
        if token is None:
            raise MissingApiKey()
        team_id = team_id_for_token(token=token)
        body = wire.read_body(request._request)
        records, encoding = wire.read_logs(request._request, body, received_at=datetime.now(tz=UTC))
        services.ingest_logs(team_id=team_id, records=records)
        content, content_type = wire.empty_response(encoding)
        return HttpResponse(content, content_type=content_type)


class LogAttributesViewSet(ProjectScopedViewSet):
    """`GET logs/attributes/`: the attribute keys seen in the project's logs."""

    scope_object = "logs"
    # Only for the schema generator: the route reads through `selectors`.
    queryset = LogRecord.objects.none()
    # Other methods on this route are a 405 once the key's scope is checked.
    unmapped_method_scope = "read"

    @extend_schema(
        tags=["logs"],
        description=(
            "Attribute keys of the project's logs in `dateRange` (default the last hour). Malformed "
            "parameters fall back to their defaults. Order: the exact match of `search`, keys holding "
            "it as a whole word, then the most frequent, then by name; `count` ignores `limit`."
        ),
        parameters=[
            OpenApiParameter(
                "search", OpenApiTypes.STR, description="Case-insensitive substring of the key."
            ),
            OpenApiParameter("attribute_type", OpenApiTypes.STR, enum=["log", "resource"]),
            OpenApiParameter("limit", OpenApiTypes.INT, description="1..100, default 100."),
            OpenApiParameter("offset", OpenApiTypes.INT, description="Default 0."),
            OpenApiParameter(
                "dateRange", OpenApiTypes.STR, description='JSON `{"date_from": "-1h", "date_to": null}`.'
            ),
            OpenApiParameter("serviceNames", OpenApiTypes.STR, description='JSON array, e.g. `["api"]`.'),
            OpenApiParameter(
                "filterGroup",
                OpenApiTypes.STR,
                description='JSON property-filter group, e.g. {"type": "AND", "values": [{"key": "k8s.pod", '
                '"value": "api-1", "operator": "exact", "type": "log_resource_attribute"}]}: only matching '
                "records count. Operators exact, is_not, icontains, not_icontains, is_set, is_not_set.",
            ),
        ],
        responses={200: serializers.LogAttributesResponseSerializer},
    )
    def list(self, request: Request, *args, **kwargs) -> Response:
        query = serializers.attribute_query(request.query_params)
        results, count = selectors.attribute_keys(team_id=self.team.id, query=query)
        return Response({"results": results, "count": count})
