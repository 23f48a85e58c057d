"""HTTP layer of `GET /api/llm_analytics/@me/spend/`: the caller's own spend, from the selectors."""

from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework import exceptions, viewsets
from rest_framework.permissions import IsAuthenticated
from rest_framework.request import Request
from rest_framework.response import Response

from llm_server.permissions import APIScopePermission
from llm_server.throttling import CallerRateThrottle, endpoint_throttles
from spend import selectors
from spend.serializers import SpendQuerySerializer, SpendSerializer

NO_EMAIL = "User has no email on record; cannot scope spend analysis."


DESCRIPTION = """The requesting user's own LLM spend: the `$ai_generation` and `$ai_embedding` events of
the deployment's internal project whose person has the user's email, in a window of at most 90 days
(default the last 30). `product` scopes the tool and model breakdowns; `by_product` always covers every
product. Answers are cached for 5 minutes per request; `refresh=true` recomputes."""


class SpendViewSet(viewsets.ViewSet):
    """An identity endpoint: no project in the path, so keys restricted to projects or
    organizations may call it too."""

    scope_object = "user"
    project_based = False
    allows_scoped_keys = True
    # Other methods on this route are a 405 once the key's scope is checked.
    unmapped_method_scope = "read"
    permission_classes = [IsAuthenticated, APIScopePermission]
    throttle_classes = endpoint_throttles(
        CallerRateThrottle, "spend", "RATE_LIMIT_SPEND", ("burst", "sustained", "daily")
    )

    @extend_schema(
        tags=["llm_analytics"],
        operation_id="llm_analytics_personal_spend_list",
        description=DESCRIPTION,
        parameters=[SpendQuerySerializer],
        responses={
            200: SpendSerializer,
            403: OpenApiResponse(description="The key lacks `user:read`, or the user has no email."),
            404: OpenApiResponse(description="The internal project does not exist."),
        },
    )
    def retrieve(self, request: Request) -> Response:
        # After throttling and before the parameters: a user without an email has no spend.
        if not request.user.email:
            raise exceptions.PermissionDenied(NO_EMAIL)
        query = SpendQuerySerializer(data=request.query_params)
        query.is_valid(raise_exception=True)
        return Response(selectors.personal_spend(email=request.user.email, **query.validated_data))
