"""Request parsers: DRF's JSON parser, with a number too large to be finite (`1e400`) and deep
nesting reported as parse errors (400) instead of being stored as infinity or crashing."""

import codecs
import json
import math

from django.conf import settings
from rest_framework import parsers
from rest_framework.exceptions import ParseError


def _finite_float(text: str) -> float:
    value = float(text)
    if not math.isfinite(value):
        raise ValueError(f"Numbers must be finite: {text}")
    return value


def _refuse_constant(name: str):
    raise ValueError(f"Out of range float values are not strict JSON compliant: {name}")


class JSONParser(parsers.JSONParser):
    def parse(self, stream, media_type=None, parser_context=None):
        encoding = (parser_context or {}).get("encoding", settings.DEFAULT_CHARSET)
        try:
            decoded = codecs.getreader(encoding)(stream)
            return json.load(decoded, parse_constant=_refuse_constant, parse_float=_finite_float)
        except RecursionError as exc:
            raise ParseError("JSON parse error - the document is nested too deeply") from exc
        except ValueError as exc:
            raise ParseError(f"JSON parse error - {exc}") from exc
