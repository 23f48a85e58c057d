"""Request bodies, before any view, authenticator or parser touches them.

- A declared `Content-Length` over the limit is a 413 before a byte is read, whatever the content
  type (multipart included, which Django would otherwise stream to temporary files).
- A chunked body (no `Content-Length`) is read from the server's stream, which ends with the body,
  up to the same limit, and handed on as if its length had been declared.
- Form bodies must be UTF-8 (Django would store invalid bytes as U+FFFD); multipart bodies may not
  carry file parts, which no endpoint takes.

Views that read their own raw body (capture, OTLP logs) set `reads_own_body = True` and keep their
own limits.
"""

import io
from urllib.parse import parse_qsl

from django.conf import settings
from django.core.exceptions import RequestDataTooBig, TooManyFieldsSent, TooManyFilesSent
from django.core.handlers.wsgi import LimitedStream
from django.http import HttpRequest, HttpResponse

from llm_server.errors import RequestTooLarge, envelope

READ_CHUNK_BYTES = 64 * 1024
FORM = "application/x-www-form-urlencoded"
MULTIPART = "multipart/form-data"


def body_limit() -> int:
    return settings.DATA_UPLOAD_MAX_MEMORY_SIZE


def too_large() -> HttpResponse:
    return envelope(
        413, RequestTooLarge.default_type, RequestTooLarge.default_code, RequestTooLarge.default_detail
    )


def invalid_body(detail: str) -> HttpResponse:
    return envelope(400, "validation_error", "invalid_input", detail)


UNREADABLE_CHUNKED = "The chunked request body is malformed or incomplete."


class UnreadableBody(Exception):
    """The server's reader failed: broken chunk framing, or the client went away mid-body."""


def _read_chunked(request: HttpRequest, limit: int) -> bytes | None:
    """The whole chunked body, or None when it is longer than `limit`."""
    stream = request.META["wsgi.input"]
    chunks, total = [], 0
    while True:
        try:
            chunk = stream.read(min(READ_CHUNK_BYTES, limit + 1 - total))
        except Exception as exc:  # the server's own errors (gunicorn's InvalidChunkSize, NoMoreData)
            raise UnreadableBody() from exc
        if not chunk:
            return b"".join(chunks)
        total += len(chunk)
        if total > limit:
            return None
        chunks.append(chunk)


class RequestBodyMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        return self.get_response(request)

    def process_view(self, request: HttpRequest, view_func, view_args, view_kwargs) -> HttpResponse | None:
        view_class = getattr(view_func, "cls", None) or getattr(view_func, "view_class", None)
        if getattr(view_class, "reads_own_body", False):
            return None
        limit = body_limit()
        declared = request.META.get("CONTENT_LENGTH") or ""
        if declared:
            try:
                length = int(declared)
            except ValueError:
                return invalid_body("The Content-Length header is not a number.")
            if length > limit:
                return too_large()
        elif "chunked" in request.META.get("HTTP_TRANSFER_ENCODING", "").lower() and request.META.get(
            "wsgi.input_terminated"
        ):
            try:
                body = _read_chunked(request, limit)
            except UnreadableBody:
                return invalid_body(UNREADABLE_CHUNKED)
            if body is None:
                return too_large()
            request._stream = LimitedStream(io.BytesIO(body), len(body))
            request.META["CONTENT_LENGTH"] = str(len(body))
        content_type = (request.content_type or "").lower()
        if content_type == FORM and request.method not in ("GET", "HEAD"):
            return self._check_form(request)
        if content_type == MULTIPART:
            return self._check_multipart(request)
        return None

    @staticmethod
    def _check_form(request: HttpRequest) -> HttpResponse | None:
        try:
            text = request.body.decode("utf-8")
            parse_qsl(text, keep_blank_values=True, encoding="utf-8", errors="strict")
        except UnicodeDecodeError:
            return invalid_body("The form body is not valid UTF-8 (after percent-decoding). Send UTF-8 text.")
        except RequestDataTooBig:
            return too_large()
        return None

    @staticmethod
    def _check_multipart(request: HttpRequest) -> HttpResponse | None:
        try:
            files = request.FILES
        except RequestDataTooBig:
            return too_large()
        except (TooManyFieldsSent, TooManyFilesSent):
            return None  # the view's parser reports it with the envelope
        except Exception:
            return None  # a malformed body: the view's parser reports it
        if files:
            names = ", ".join(sorted(files))
            return invalid_body(
                f"File uploads are not accepted (part: {names}). Send content as JSON strings instead."
            )
        return None
