"""The rules of label names, shared by the label routes, `?label=` and compile."""

import re

from prompts.models import LABEL_MAX_LENGTH

# `latest` is the implicit label of every prompt: it can be read, never set.
IMPLICIT_LABEL = "latest"
LABEL_PATTERN = re.compile(r"^[a-z0-9](?:[a-z0-9._-]*[a-z0-9])?$")
MAX_LABELS_PER_PROMPT = 50

RESERVED_MESSAGE = "'latest' is reserved and cannot be used as a label."
NUMBERS_ONLY_MESSAGE = "Label names cannot be numbers only, to avoid confusion with version numbers."
TOO_LONG_MESSAGE = f"Label must be {LABEL_MAX_LENGTH} characters or fewer."
CHARACTERS_MESSAGE = (
    "Use lowercase letters, numbers, dots (.), hyphens (-) and underscores (_), "
    "starting and ending with a letter or number."
)


def label_name_problem(value: str) -> tuple[str, str] | None:
    """The first rule a label name breaks, as (message, code), or None."""
    if value.lower() == IMPLICIT_LABEL:
        return RESERVED_MESSAGE, "reserved_label"
    # ASCII digits only: "٣" is refused by the character rule instead.
    if value and value.isascii() and value.isdigit():
        return NUMBERS_ONLY_MESSAGE, "invalid_label"
    if len(value) > LABEL_MAX_LENGTH:
        return TOO_LONG_MESSAGE, "max_length"
    if not LABEL_PATTERN.fullmatch(value):
        return CHARACTERS_MESSAGE, "invalid_label"
    return None
