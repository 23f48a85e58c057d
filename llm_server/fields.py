"""Field helpers shared by serializer fields and form (filter) fields."""

from typing import TypeVar

from django.core.validators import ProhibitNullCharactersValidator

Field = TypeVar("Field")


def allow_null_characters(field: Field) -> Field:
    """Drops the U+0000 check Django's and DRF's CharFields add, for free text that is only
    matched, never stored (a NUL there simply matches nothing)."""
    field.validators = [v for v in field.validators if not isinstance(v, ProhibitNullCharactersValidator)]
    return field
