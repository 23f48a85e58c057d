"""Request and response shapes of `explainLogWithAI`; the response serializer also checks what the
model answered before it is served."""

from rest_framework import serializers

SEVERITIES = ("ok", "warning", "error", "critical")
CONFIDENCES = ("high", "medium", "low")
PRIORITIES = ("now", "soon", "later")
ATTRIBUTE_TYPES = ("log", "resource")
MAX_PROBABLE_CAUSES = 3
MAX_IMMEDIATE_ACTIONS = 5


class ExplainLogSerializer(serializers.Serializer):
    uuid = serializers.CharField(help_text="The log record's uuid.")
    timestamp = serializers.DateTimeField(help_text="The log record's timestamp (matched within a second).")
    force_refresh = serializers.BooleanField(
        required=False, default=False, help_text="Ask the model again instead of answering from the cache."
    )


class ProbableCauseSerializer(serializers.Serializer):
    hypothesis = serializers.CharField(allow_blank=True)
    confidence = serializers.ChoiceField(choices=CONFIDENCES)
    reasoning = serializers.CharField(allow_blank=True)


class ImmediateActionSerializer(serializers.Serializer):
    action = serializers.CharField(allow_blank=True)
    priority = serializers.ChoiceField(choices=PRIORITIES)
    why = serializers.CharField(allow_blank=True)


class KeyFieldSerializer(serializers.Serializer):
    field = serializers.CharField(allow_blank=True)
    value = serializers.CharField(allow_blank=True)
    significance = serializers.CharField(allow_blank=True)
    attribute_type = serializers.ChoiceField(choices=ATTRIBUTE_TYPES)


class LogExplanationSerializer(serializers.Serializer):
    headline = serializers.CharField(allow_blank=True)
    severity_assessment = serializers.ChoiceField(choices=SEVERITIES)
    impact_summary = serializers.CharField(allow_blank=True)
    probable_causes = ProbableCauseSerializer(many=True, allow_empty=False)
    immediate_actions = ImmediateActionSerializer(many=True, allow_empty=False)
    technical_explanation = serializers.CharField(allow_blank=True)
    key_fields = KeyFieldSerializer(many=True)


def _object(properties: dict, descriptions: dict | None = None) -> dict:
    for name, description in (descriptions or {}).items():
        properties[name] = {**properties[name], "description": description}
    return {
        "type": "object",
        "properties": properties,
        "required": list(properties),
        "additionalProperties": False,
    }


STRING = {"type": "string"}


def _enum(values: tuple[str, ...]) -> dict:
    return {"type": "string", "enum": list(values)}


# The structured output the model must produce (strict JSON schema: every key required, no others).
EXPLANATION_JSON_SCHEMA = _object(
    {
        "headline": STRING,
        "severity_assessment": _enum(SEVERITIES),
        "impact_summary": STRING,
        "probable_causes": {
            "type": "array",
            "items": _object({"hypothesis": STRING, "confidence": _enum(CONFIDENCES), "reasoning": STRING}),
        },
        "immediate_actions": {
            "type": "array",
            "items": _object({"action": STRING, "priority": _enum(PRIORITIES), "why": STRING}),
        },
        "technical_explanation": STRING,
        "key_fields": {
            "type": "array",
            "items": _object(
                {
                    "field": STRING,
                    "value": STRING,
                    "significance": STRING,
                    "attribute_type": _enum(ATTRIBUTE_TYPES),
                }
            ),
        },
    },
    {
        "headline": "One line: what happened.",
        "impact_summary": "Who or what is affected, and how badly.",
        "probable_causes": f"1 to {MAX_PROBABLE_CAUSES} hypotheses, most likely first.",
        "immediate_actions": f"1 to {MAX_IMMEDIATE_ACTIONS} actions, most urgent first.",
        "key_fields": "The log's fields that matter most for understanding it.",
    },
)
