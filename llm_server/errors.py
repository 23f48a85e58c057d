"""Every error answer in one place: the envelope for DRF errors, routing misses and Django-level
failures, and the answer of every domain error (see llm_server.domain)."""

import logging

from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.core.exceptions import RequestDataTooBig, TooManyFieldsSent, TooManyFilesSent
from django.http import Http404, JsonResponse
from django.views.decorators.csrf import csrf_exempt
from exceptions_hog import exception_handler as hog_exception_handler
from rest_framework import exceptions, status
from rest_framework.response import Response

from llm_server.domain import (
    DetailError,
    DomainError,
    NameTaken,
    ObjectNotFound,
    VersionConflict,
    VersionLimitReached,
)

logger = logging.getLogger("llm_server.errors")


class UnhandledError(exceptions.APIException):
    """What the client sees of any unexpected exception: a bare 500, nothing leaked."""

    status_code = status.HTTP_500_INTERNAL_SERVER_ERROR
    default_detail = "A server error occurred."
    default_code = "error"


class RequestTooLarge(exceptions.APIException):
    status_code = status.HTTP_413_REQUEST_ENTITY_TOO_LARGE
    default_detail = "The request body is larger than this server accepts."
    default_code = "request_too_large"
    default_type = "invalid_request"


class TooManyFields(exceptions.APIException):
    status_code = status.HTTP_400_BAD_REQUEST
    default_detail = "The request has more form fields than this server accepts."
    default_code = "too_many_fields"
    default_type = "invalid_request"


def report_exception(exc: BaseException, context: dict | None) -> None:
    """Logs unexpected failures with their traceback; the client only sees a generic 500."""
    if not isinstance(exc, exceptions.APIException):
        request = (context or {}).get("request")
        path = getattr(request, "path", "?")
        logger.error("Unhandled exception on %s", path, exc_info=(type(exc), exc, exc.__traceback__))


def exception_handler(exc: BaseException, context: dict | None) -> Response | None:
    if isinstance(exc, DomainError):
        answer = domain_error_answer(exc, (context or {}).get("view"))
        if isinstance(answer, Response):
            return answer
        exc = answer
    elif isinstance(exc, RequestDataTooBig):
        exc = RequestTooLarge()
    elif isinstance(exc, TooManyFieldsSent | TooManyFilesSent):
        exc = TooManyFields()
    elif not isinstance(exc, exceptions.APIException | Http404 | DjangoPermissionDenied):
        # Anything else is a bug. Log it here, and hand the envelope library a plain 500: some
        # third-party exceptions carry a `status_code` of their own (even None), which it would use.
        report_exception(exc, context)
        exc = UnhandledError()
    response = hog_exception_handler(exc, context)
    _name_list_field(response)
    # DRF puts the authenticator's challenge on 401s as `auth_header`; the hog handler drops it.
    auth_header = getattr(exc, "auth_header", None)
    if response is not None and auth_header:
        response["WWW-Authenticate"] = auth_header
    return response


class RecordNoun:
    """The client-visible wording of one kind of record ("prompt", "skill", "scorer"): the
    resources word these errors alike, with only the noun changed."""

    def __init__(self, noun: str):
        self.noun = noun
        self.title = noun[:1].upper() + noun[1:]

    def not_found(self, name: str) -> str:
        return f"{self.title} with name '{name}' not found."

    @property
    def name_taken(self) -> str:
        return f"A {self.noun} with this name already exists."

    @property
    def conflict(self) -> str:
        return f"The {self.noun} changed since you opened it. Reload the latest version and try again."

    def limit(self, limit: int) -> str:
        return (
            f"{self.title} has reached the maximum of {limit} versions. "
            f"Archive and recreate the {self.noun} to continue publishing."
        )


def domain_error_answer(exc: DomainError, view) -> Response | exceptions.APIException:
    """A domain error's answer: a bespoke body as a Response, or a DRF exception that the
    envelope library renders. The view names its records (`record_noun`) and the attrs whose
    name clash is answered with a bare `{"attr", "detail"}` body (`bare_name_taken_attrs`)."""
    noun = RecordNoun(getattr(view, "record_noun", None) or "record")
    if isinstance(exc, DetailError):
        return Response(exc.body(), status=exc.status_code)
    if isinstance(exc, ObjectNotFound):
        if exc.name is None:
            return exceptions.NotFound()
        return Response({"detail": noun.not_found(exc.name)}, status=status.HTTP_404_NOT_FOUND)
    if isinstance(exc, VersionConflict):
        body = {"detail": noun.conflict, "current_version": exc.current_version}
        return Response(body, status=status.HTTP_409_CONFLICT)
    if isinstance(exc, VersionLimitReached):
        return Response({"detail": noun.limit(exc.limit)}, status=status.HTTP_400_BAD_REQUEST)
    if isinstance(exc, NameTaken):
        if exc.attr in getattr(view, "bare_name_taken_attrs", ()):
            return Response({"attr": exc.attr, "detail": noun.name_taken}, status=status.HTTP_400_BAD_REQUEST)
        return validation_error(noun.name_taken, attr=exc.attr, code="unique")
    return validation_error(exc.message, attr=exc.attr, code=exc.code or "invalid_input")


NON_FIELD_SUFFIX = "__non_field_errors"


def _name_list_field(response: Response | None) -> None:
    """An error about a list as a whole (too many items, empty, not a list) names the list:
    `files`, not `files__non_field_errors` as the envelope library spells it for nested fields."""
    data = getattr(response, "data", None)
    attr = data.get("attr") if isinstance(data, dict) else None
    if isinstance(attr, str) and attr.endswith(NON_FIELD_SUFFIX):
        data["attr"] = attr[: -len(NON_FIELD_SUFFIX)] or None


def validation_error(message: str, *, attr: str | None = None, code: str = "invalid_input"):
    """A 400 in the envelope, on `attr` when given (non-field otherwise)."""
    if attr:
        return exceptions.ValidationError({attr: [exceptions.ErrorDetail(message, code=code)]})
    return exceptions.ValidationError(exceptions.ErrorDetail(message, code=code))


def envelope(status_code: int, type_: str, code: str, detail: str) -> JsonResponse:
    return JsonResponse(
        {"type": type_, "code": code, "detail": detail, "attr": None},
        status=status_code,
        json_dumps_params={"separators": (",", ":")},
    )


def method_not_allowed(method: str, allowed: str) -> JsonResponse:
    response = envelope(405, "invalid_request", "method_not_allowed", f'Method "{method}" not allowed.')
    response["Allow"] = allowed
    return response


@csrf_exempt
def endpoint_not_found(request, *args, **kwargs) -> JsonResponse:
    return envelope(404, "invalid_request", "not_found", "Endpoint not found.")


def handler404(request, exception=None) -> JsonResponse:
    return endpoint_not_found(request)


def handler400(request, exception=None) -> JsonResponse:
    return envelope(400, "invalid_request", "bad_request", "The request could not be understood.")


def handler403(request, exception=None) -> JsonResponse:
    return envelope(
        403, "authentication_error", "permission_denied", "You do not have permission to perform this action."
    )


def handler500(request) -> JsonResponse:
    return envelope(500, "server_error", "error", "A server error occurred.")
