"""Query parameters of `@me/spend` and the shape of its answer."""

from django.conf import settings
from django.utils import timezone
from rest_framework import serializers

from spend import dates

DEFAULT_DATE_FROM = "-30d"
DATE_MAX_LENGTH = 32
PRODUCT_MAX_LENGTH = 64
DEFAULT_LIMIT, MIN_LIMIT, MAX_LIMIT = 50, 1, 200


class SpendQuerySerializer(serializers.Serializer):
    """Fields are declared in the order their errors win; the window is resolved once they pass."""

    date_from = serializers.CharField(
        required=False,
        default=DEFAULT_DATE_FROM,
        max_length=DATE_MAX_LENGTH,
        help_text="Start (inclusive): an ISO date or datetime (`2026-04-23`) or relative (`-7d`). Default `-30d`.",
    )
    date_to = serializers.CharField(
        required=False,
        default=None,
        allow_null=True,
        max_length=DATE_MAX_LENGTH,
        help_text="End (exclusive), same formats; default now. The window cannot exceed 90 days.",
    )
    product = serializers.CharField(
        max_length=PRODUCT_MAX_LENGTH,
        help_text="The `ai_product` the tool and model breakdowns are scoped to (setting SPEND_PRODUCTS).",
    )
    limit = serializers.IntegerField(
        required=False,
        default=DEFAULT_LIMIT,
        min_value=MIN_LIMIT,
        max_value=MAX_LIMIT,
        help_text="Rows per breakdown (1-200); `truncated` tells when more exist.",
    )
    refresh = serializers.BooleanField(
        required=False, default=False, help_text="Recompute instead of answering from the 5-minute cache."
    )

    def validate_product(self, value: str) -> str:
        supported = sorted(settings.SPEND_PRODUCTS)
        if value not in supported:
            raise serializers.ValidationError(
                f"product `{value}` is not supported. Supported products: {', '.join(supported)}."
            )
        return value

    def validate(self, attrs: dict) -> dict:
        now = timezone.now()
        starts = self._resolve(attrs["date_from"], "date_from", now)
        ends = self._resolve(attrs["date_to"], "date_to", now) if attrs["date_to"] else now
        if ends <= starts:
            raise serializers.ValidationError({"date_to": "Must be later than `date_from`."})
        if ends - starts > dates.MAX_WINDOW:
            raise serializers.ValidationError(
                {"date_from": "Window between `date_from` and `date_to` cannot exceed 90 days."}
            )
        return {**attrs, "window_start": starts, "window_end": ends}

    @staticmethod
    def _resolve(value: str, field: str, now):
        try:
            return dates.resolve(value, now)
        except dates.UnreadableDate as exc:
            raise serializers.ValidationError({field: str(exc)}) from exc


class ProductRowSerializer(serializers.Serializer):
    product = serializers.CharField(allow_null=True, help_text="`ai_product` of the events; null when unset.")
    event_count = serializers.IntegerField()
    cost_usd = serializers.FloatField()


class ToolRowSerializer(serializers.Serializer):
    tool = serializers.CharField(
        allow_null=True, help_text="One name of `$ai_tools_called` (split on `,`); null: no tool called."
    )
    generation_count = serializers.IntegerField()
    cost_usd = serializers.FloatField(help_text="Full cost of every generation that called the tool.")
    share_of_scoped = serializers.FloatField(help_text="`cost_usd / summary.scoped_cost_usd`.")
    avg_input_tokens = serializers.FloatField()


class ModelRowSerializer(serializers.Serializer):
    model = serializers.CharField(allow_null=True)
    generation_count = serializers.IntegerField()
    cost_usd = serializers.FloatField()
    input_tokens = serializers.IntegerField()
    output_tokens = serializers.IntegerField()


class TraceRowSerializer(serializers.Serializer):
    trace_id = serializers.CharField(allow_null=True)
    generation_count = serializers.IntegerField()
    cost_usd = serializers.FloatField()
    started_at = serializers.DateTimeField(allow_null=True)


class SummarySerializer(serializers.Serializer):
    date_from = serializers.DateTimeField()
    date_to = serializers.DateTimeField()
    product = serializers.CharField()
    total_cost_usd = serializers.FloatField(help_text="All products.")
    event_count = serializers.IntegerField(
        help_text="`$ai_generation` and `$ai_embedding` events, all products."
    )
    scoped_cost_usd = serializers.FloatField(help_text="The requested product only.")
    scoped_event_count = serializers.IntegerField()


def breakdown(row_serializer: type[serializers.Serializer], name: str) -> type[serializers.Serializer]:
    return type(
        name,
        (serializers.Serializer,),
        {"items": row_serializer(many=True), "truncated": serializers.BooleanField()},
    )


class SpendSerializer(serializers.Serializer):
    summary = SummarySerializer()
    by_product = breakdown(ProductRowSerializer, "ProductBreakdown")(help_text="Every product.")
    by_tool = breakdown(ToolRowSerializer, "ToolBreakdown")(help_text="Generations of the product.")
    by_model = breakdown(ModelRowSerializer, "ModelBreakdown")(help_text="Events of the product.")
    top_traces = breakdown(TraceRowSerializer, "TraceBreakdown")(help_text="Deprecated: always empty.")
