"""The capture wire format: a bounded body read, gzip, JSON, the project token and the event list.

Accepts what the `posthog` SDKs send: `{"batch": [...], "api_key", "sent_at"}`, a bare list of
events, or one event; JSON, gzip (by `Content-Encoding`, `?compression=` or the gzip magic bytes)
or a form body whose `data` field holds JSON or base64 JSON. Limits come from the settings
`CAPTURE_MAX_BODY_BYTES` and `CAPTURE_MAX_DECOMPRESSED_BYTES`.
"""

import base64
import binascii
import json
import math
import re
import zlib
from dataclasses import dataclass
from typing import Any
from urllib.parse import parse_qs

from django.conf import settings
from django.http import HttpRequest

from events.domain import MalformedPayload, NoData, PayloadTooLarge

DEFAULT_MAX_BODY_BYTES = 20 * 1024 * 1024
DEFAULT_MAX_DECOMPRESSED_BYTES = 32 * 1024 * 1024
READ_CHUNK_BYTES = 256 * 1024
GZIP_MAGIC = b"\x1f\x8b"
GZIP_NAMES = {"gzip", "gzip-js", "x-gzip"}
TOKEN_FIELDS = ("api_key", "token", "$token")
# JSON escapes that decode to text no database stores: NUL and lone surrogate halves.
UNSTORABLE_ESCAPE = re.compile(rb"\\u(?:0000|[dD][89a-fA-F])")
SURROGATE = re.compile("[\ud800-\udfff]")


@dataclass(frozen=True)
class Payload:
    events: list[Any]
    token: str | None
    sent_at: Any


UNREADABLE_BODY = "the body could not be read (malformed or incomplete chunked encoding)."


def max_body_bytes() -> int:
    return int(getattr(settings, "CAPTURE_MAX_BODY_BYTES", DEFAULT_MAX_BODY_BYTES))


def max_decompressed_bytes() -> int:
    return int(getattr(settings, "CAPTURE_MAX_DECOMPRESSED_BYTES", DEFAULT_MAX_DECOMPRESSED_BYTES))


def read_body(request: HttpRequest) -> bytes:
    """The raw body, refused by its declared length before any of it is read, and read in bounded
    chunks (a body longer than declared is cut by the server's stream at the declared length). A
    chunked body has no declared length: it is read from the server's own stream, which ends with
    the body when the server says so (`wsgi.input_terminated`), under the same limit."""
    limit = max_body_bytes()
    declared = request.META.get("CONTENT_LENGTH") or ""
    stream: Any = request
    if not declared and request.META.get("wsgi.input_terminated"):
        stream = request.META["wsgi.input"]
    else:
        try:
            length = int(declared or "0")
        except ValueError:
            raise MalformedPayload("invalid Content-Length.") from None
        if length > limit:
            raise PayloadTooLarge()
    chunks: list[bytes] = []
    total = 0
    while True:
        try:
            chunk = stream.read(min(READ_CHUNK_BYTES, limit + 1 - total))
        except Exception:  # the server's reader: broken chunk framing, or the client went away
            raise MalformedPayload(UNREADABLE_BODY) from None
        if not chunk:
            break
        total += len(chunk)
        if total > limit:
            raise PayloadTooLarge()
        chunks.append(chunk)
    return b"".join(chunks)


def gunzip(data: bytes, *, limit: int) -> bytes:
    """Decompresses every gzip member, never producing more than `limit` bytes (gzip bombs)."""
    out: list[bytes] = []
    total = 0
    while data:
        decompressor = zlib.decompressobj(16 + zlib.MAX_WBITS)
        pending = data
        while True:
            try:
                piece = decompressor.decompress(pending, limit + 1 - total)
            except zlib.error as exc:
                raise MalformedPayload(f"invalid gzip data ({exc}).") from None
            total += len(piece)
            if total > limit:
                raise PayloadTooLarge("The decompressed request body is larger than this server accepts.")
            out.append(piece)
            pending = decompressor.unconsumed_tail
            if decompressor.eof or not pending:
                break
        if not decompressor.eof:
            raise MalformedPayload("truncated gzip data.")
        data = decompressor.unused_data
        if not data.startswith(GZIP_MAGIC):
            break  # trailing bytes after the last member are ignored, as gzip(1) does
    return b"".join(out)


def _finite_float(text: str) -> float | None:
    value = float(text)
    return value if math.isfinite(value) else None


def _non_finite(_name: str) -> None:
    return None


def _clean_text(value: str) -> str:
    return SURROGATE.sub("\ufffd", value.replace("\x00", ""))


def _clean(value: Any) -> Any:
    if isinstance(value, str):
        return _clean_text(value)
    if isinstance(value, dict):
        return {_clean_text(key): _clean(item) for key, item in value.items()}
    if isinstance(value, list):
        return [_clean(item) for item in value]
    return value


def parse_json(data: bytes) -> Any:
    """JSON with non-finite numbers read as null, and NUL or lone surrogates (which no database
    stores) removed or replaced; anything unparsable is a 400."""
    try:
        value = json.loads(data, parse_float=_finite_float, parse_constant=_non_finite)
    except RecursionError:
        raise MalformedPayload("the JSON is nested too deeply.") from None
    except ValueError as exc:  # includes UnicodeDecodeError
        raise MalformedPayload(f"invalid JSON ({exc}).") from None
    if UNSTORABLE_ESCAPE.search(data):
        value = _clean(value)
    return value


def _form_data(body: bytes) -> bytes | None:
    """The `data` field of a form body (posthog-js' legacy format), as JSON bytes."""
    try:
        fields = parse_qs(body.decode("ascii"), max_num_fields=100)
    except (UnicodeDecodeError, ValueError):
        return None
    values = fields.get("data")
    if not values:
        return None
    text = values[0].strip()
    if text[:1] in ("{", "["):
        return text.encode("utf-8", "surrogatepass")
    try:
        return base64.b64decode(text + "=" * (-len(text) % 4), validate=False)
    except (binascii.Error, ValueError):
        raise MalformedPayload("the data field is not base64 JSON.") from None


def decode_body(request: HttpRequest, body: bytes) -> Any:
    """The parsed JSON of a capture body, decompressed as its headers, query or bytes say."""
    if not body:
        raise NoData()
    encoding = (request.META.get("HTTP_CONTENT_ENCODING") or "").strip().lower()
    compression = (request.GET.get("compression") or "").strip().lower()
    limit = max_decompressed_bytes()
    if encoding in GZIP_NAMES or compression in GZIP_NAMES or body.startswith(GZIP_MAGIC):
        body = gunzip(body, limit=limit)
    elif encoding == "deflate":
        decompressor = zlib.decompressobj()
        try:
            inflated = decompressor.decompress(body, limit + 1)
        except zlib.error as exc:
            raise MalformedPayload(f"invalid deflate data ({exc}).") from None
        if len(inflated) > limit:
            raise PayloadTooLarge("The decompressed request body is larger than this server accepts.")
        body = inflated
    content_type = (request.META.get("CONTENT_TYPE") or "").split(";")[0].strip().lower()
    if content_type == "application/x-www-form-urlencoded":
        form = _form_data(body)
        if form is not None:
            body = form
    if not body.strip():
        raise NoData()
    return parse_json(body)


def _string_token(value: Any) -> str | None:
    return value if isinstance(value, str) and value else None


def find_token(request: HttpRequest, data: Any, events: list[Any]) -> str | None:
    """The project token: `api_key`, `token` or `$token` in the body, `?token=`/`?api_key=`, an
    `Authorization: Bearer phc_…` header, or (posthog-js) the first event's properties."""
    if isinstance(data, dict):
        for field in TOKEN_FIELDS:
            if token := _string_token(data.get(field)):
                return token
    for field in ("token", "api_key"):
        if token := _string_token(request.GET.get(field)):
            return token
    header = request.META.get("HTTP_AUTHORIZATION") or ""
    scheme, _, credential = header.strip().partition(" ")
    if scheme.lower() == "bearer" and credential.strip().startswith("phc_"):
        return credential.strip()
    for event in events[:1]:
        if isinstance(event, dict):
            for field in TOKEN_FIELDS:
                if token := _string_token(event.get(field)):
                    return token
            properties = event.get("properties")
            if isinstance(properties, dict):
                for field in ("token", "$token"):
                    if token := _string_token(properties.get(field)):
                        return token
    return None


def read_payload(request: HttpRequest) -> Payload:
    """Reads, decompresses and parses a capture request into its events, token and `sent_at`."""
    data = decode_body(request, read_body(request))
    if isinstance(data, list):
        events, sent_at = data, None
    elif isinstance(data, dict):
        if "batch" in data:
            events = data["batch"]
            if not isinstance(events, list):
                raise MalformedPayload("batch must be a list of events.")
        elif "data" in data and isinstance(data["data"], list | dict):
            events = data["data"] if isinstance(data["data"], list) else [data["data"]]
        else:
            events = [data]
        sent_at = data.get("sent_at")
    else:
        raise MalformedPayload("the body must be a JSON object or a list of events.")
    return Payload(events=events, token=find_token(request, data, events), sent_at=sent_at)
