"""Request and response shapes of `translate`."""

from rest_framework import serializers

from assist.services import DEFAULT_TARGET_LANGUAGE

TEXT_MAX_LENGTH = 10_000
TARGET_LANGUAGE_MAX_LENGTH = 10


class TranslateSerializer(serializers.Serializer):
    # Sent to the model verbatim: surrounding whitespace is part of the formatting it keeps.
    text = serializers.CharField(max_length=TEXT_MAX_LENGTH, trim_whitespace=False)
    target_language = serializers.CharField(
        max_length=TARGET_LANGUAGE_MAX_LENGTH,
        required=False,
        default=DEFAULT_TARGET_LANGUAGE,
        help_text="Language code such as `es` or `pt-br` (default `en`); an unknown code is passed on as given.",
    )

    def validate_text(self, value: str) -> str:
        if not value.strip():
            raise serializers.ValidationError(self.fields["text"].error_messages["blank"], code="blank")
        return value


class TranslateResponseSerializer(serializers.Serializer):
    translation = serializers.CharField()
    detected_language = serializers.CharField(
        allow_null=True, help_text="Always null: the source language is not detected."
    )
    provider = serializers.CharField()
