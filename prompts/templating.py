"""Prompt variables: `{{name}}` placeholders, the declarations a version may carry, and rendering
a version with values on the server."""

import json
import re
from typing import Any

from llm_server.domain import DomainValidationError
from prompts.payload_text import display_text

PLACEHOLDER = re.compile(r"\{\{([\w.-]+)\}\}")
VARIABLE_NAME = re.compile(r"[\w.-]+")
MAX_VARIABLE_NAME_LENGTH = 100
VARIABLE_TYPES = ("string", "number", "boolean")
DECLARATION_KEYS = frozenset({"type", "required", "default"})
# A compiled prompt may grow past the stored prompt's limit, not without bound: a short value in
# many placeholders would otherwise make one request render gigabytes.
MAX_COMPILED_CHARACTERS = 2_000_000


def placeholders(payload: Any) -> set[str]:
    return set(PLACEHOLDER.findall(display_text(payload)))


def _is_number(value: Any) -> bool:
    return isinstance(value, int | float) and not isinstance(value, bool)


def _has_type(value: Any, type_name: str) -> bool:
    if type_name == "string":
        return isinstance(value, str)
    if type_name == "number":
        return _is_number(value)
    return isinstance(value, bool)


def declaration_error(variables: Any) -> str | None:
    """Why `variables` is not a valid set of declarations (the first problem), or None."""
    if variables is None:
        return None
    if not isinstance(variables, dict):
        return "Variables must be a JSON object or null."
    for name, spec in variables.items():
        if (
            not isinstance(name, str)
            or not VARIABLE_NAME.fullmatch(name)
            or len(name) > MAX_VARIABLE_NAME_LENGTH
        ):
            return f"Invalid variable name '{name}'."
        error = _spec_error(name, spec)
        if error:
            return error
    return None


def _spec_error(name: str, spec: Any) -> str | None:
    # First problem wins: an object with a known type (the default check needs it), then its keys,
    # then the values of `required` and `default`.
    if not isinstance(spec, dict) or "type" not in spec:
        return f"Variable '{name}' must be an object with a 'type'."
    type_name = spec["type"]
    if type_name not in VARIABLE_TYPES:
        shown = type_name if isinstance(type_name, str) else json.dumps(type_name)
        return f"Variable '{name}' has unknown type '{shown}'. Use string, number or boolean."
    for key in spec:
        if key not in DECLARATION_KEYS:
            return f"Variable '{name}' has unknown key '{key}'."
    if "required" in spec and not isinstance(spec["required"], bool):
        return f"Variable '{name}': 'required' must be true or false."
    if "default" in spec and not _has_type(spec["default"], type_name):
        return f"Variable '{name}': default does not match type '{type_name}'."
    return None


def undeclared(payload: Any, variables: dict | None) -> list[str]:
    """Placeholders of `payload` that `variables` does not declare, sorted; none without
    declarations."""
    if variables is None:
        return []
    return sorted(placeholders(payload) - variables.keys())


def compile_values_error(values: Any) -> str | None:
    """Why `values` cannot be rendered with (the first problem), or None."""
    if not isinstance(values, dict):
        return "Variables must be a JSON object."
    for name, value in values.items():
        if not isinstance(value, str | int | float):
            return f"Variable '{name}' must be a string, number or boolean."
    return None


def _value_text(value: Any) -> str:
    if isinstance(value, str):
        return value
    if isinstance(value, bool):
        return "true" if value else "false"
    return json.dumps(value)


def _resolved(declarations: dict | None, values: dict[str, Any]) -> dict[str, Any]:
    """The value of every placeholder that renders, after checking `values` against
    `declarations`; without declarations, the values as given."""
    if declarations is None:
        return values
    unknown = sorted(values.keys() - declarations.keys())
    if unknown:
        raise DomainValidationError(
            f"Unknown variables: {', '.join(unknown)}.", attr="variables", code="unknown_variables"
        )
    missing = sorted(
        name
        for name, spec in declarations.items()
        if spec.get("required") is True and name not in values and "default" not in spec
    )
    if missing:
        raise DomainValidationError(
            f"Missing required variables: {', '.join(missing)}.",
            attr="variables",
            code="missing_variables",
        )
    for name in sorted(values):
        type_name = declarations[name]["type"]
        if not _has_type(values[name], type_name):
            raise DomainValidationError(
                f"Variable '{name}' must be of type {type_name}.",
                attr="variables",
                code="invalid_type",
            )
    # A declared variable with neither value nor default renders as empty text.
    return {name: values.get(name, spec.get("default", "")) for name, spec in declarations.items()}


def render(payload: Any, declarations: dict | None, values: dict[str, Any]) -> str:
    """The text of `payload` with its placeholders filled in from `values` (and declared
    defaults). Raises DomainValidationError when the values do not fit the declarations."""
    resolved = _resolved(declarations, values)
    room = [MAX_COMPILED_CHARACTERS - len(display_text(payload))]

    def substitute(match: re.Match[str]) -> str:
        name = match.group(1)
        if name not in resolved:
            return match.group(0)
        text = _value_text(resolved[name])
        room[0] -= len(text) - len(match.group(0))
        if room[0] < 0:
            raise DomainValidationError(
                f"The compiled prompt would be longer than {MAX_COMPILED_CHARACTERS} characters.",
                attr="variables",
                code="too_large",
            )
        return text

    def fill(value: Any) -> Any:
        # re.sub scans each string once, so text inserted from a value is never expanded again.
        if isinstance(value, str):
            return PLACEHOLDER.sub(substitute, value)
        if isinstance(value, list):
            return [fill(item) for item in value]
        if isinstance(value, dict):
            return {key: fill(item) for key, item in value.items()}
        return value

    return display_text(fill(payload))
