"""Shapes of the capture endpoints, for the API schema (bodies are parsed by events.wire)."""

from rest_framework import serializers


class CaptureEventSerializer(serializers.Serializer):
    event = serializers.CharField(help_text="Event name, e.g. `$ai_generation`.")
    distinct_id = serializers.CharField(help_text="Who did it; resolves to a person.")
    properties = serializers.DictField(required=False)
    timestamp = serializers.CharField(required=False, help_text="ISO-8601; corrected with `sent_at`.")
    uuid = serializers.UUIDField(required=False, help_text="A retried uuid is stored once.")


class CaptureBatchSerializer(serializers.Serializer):
    api_key = serializers.CharField(
        help_text="Project API token (`phc_…`); also `token`, `$token`, `?token=`."
    )
    batch = CaptureEventSerializer(many=True)
    sent_at = serializers.CharField(required=False)
    historical_migration = serializers.BooleanField(required=False)


class CaptureResponseSerializer(serializers.Serializer):
    status = serializers.IntegerField(default=1)
