"""Request and response shapes of `text_repr`."""

from collections.abc import Mapping

from rest_framework import serializers

from events.text_repr import DEFAULT_MAX_LENGTH, EVENT_TYPES

EVENT_ID_MAX_LENGTH = 400


class TextReprOptionsSerializer(serializers.Serializer):
    """Rendering options; unknown keys are ignored."""

    max_length = serializers.IntegerField(
        required=False,
        help_text=f"Cap on the whole text (default {DEFAULT_MAX_LENGTH:,}); zero or less: no cap.",
    )
    truncated = serializers.BooleanField(
        required=False, help_text="Shorten each long content block in the middle (default true)."
    )
    truncate_buffer = serializers.IntegerField(
        required=False, help_text="Characters a shortened block keeps, half at each end (default 1000)."
    )
    include_markers = serializers.BooleanField(
        required=False, help_text="`<<<...>>>` markers for a UI (default true) or plain text."
    )
    collapsed = serializers.BooleanField(
        required=False, help_text="Traces: one summary line per node, no content (default false)."
    )
    include_metadata = serializers.BooleanField(required=False, help_text="Accepted; no effect.")
    include_hierarchy = serializers.BooleanField(required=False, help_text="Accepted; no effect.")
    max_depth = serializers.IntegerField(required=False, help_text="Accepted; no effect.")
    tools_collapse_threshold = serializers.IntegerField(
        required=False, help_text="Tool lists longer than this collapse to one line (default 5)."
    )
    include_line_numbers = serializers.BooleanField(
        required=False, help_text="Prefix every line with `L<n>: ` (default false)."
    )


class TextReprSerializer(serializers.Serializer):
    event_type = serializers.ChoiceField(
        choices=list(EVENT_TYPES),
        help_text="Kind of payload. With `event_id` and no `data`, it is taken from the stored event.",
    )
    data = serializers.JSONField(
        help_text=(
            "The event `{id, event, properties}`, or for `$ai_trace` `{trace, hierarchy}`. "
            "May be omitted when `event_id` names a stored event or trace of the project."
        )
    )
    event_id = serializers.CharField(
        required=False,
        max_length=EVENT_ID_MAX_LENGTH,
        help_text="Without `data`: the uuid of a stored event, or a trace id, of this project.",
    )
    options = TextReprOptionsSerializer(required=False)

    def get_fields(self):
        fields = super().get_fields()
        # A stored event or trace may stand in for the payload: then its kind comes from it too.
        initial = getattr(self, "initial_data", None)
        if isinstance(initial, Mapping) and "data" not in initial and initial.get("event_id"):
            fields["data"].required = False
            fields["event_type"].required = False
        return fields


class TextReprMetadataSerializer(serializers.Serializer):
    event_type = serializers.CharField()
    event_id = serializers.CharField(allow_null=True)
    trace_id = serializers.CharField(allow_null=True)
    rendering = serializers.CharField()
    char_count = serializers.IntegerField()
    truncated = serializers.BooleanField(help_text="Whether `max_length` shortened the text.")


class TextReprResponseSerializer(serializers.Serializer):
    text = serializers.CharField()
    metadata = TextReprMetadataSerializer()
