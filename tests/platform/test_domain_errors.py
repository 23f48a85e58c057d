"""Every domain error class, raised from a view, gets its documented answer from the one exception
handler: never a 500, whatever view it escapes from."""

import importlib
import inspect

import pytest
from django.apps import apps
from rest_framework.test import APIRequestFactory
from rest_framework.views import APIView

from llm_server.domain import (
    DetailError,
    DomainError,
    DomainValidationError,
    NameTaken,
    ObjectNotFound,
    VersionConflict,
    VersionLimitReached,
)
from tests.api import not_found, server_error, validation

NOT_FOUND_ENVELOPE = not_found()


def _load_domain_modules() -> None:
    """Imports every installed app's `domain` module, so each error class an app defines is seen."""
    for config in apps.get_app_configs():
        try:
            importlib.import_module(f"{config.name}.domain")
        except ModuleNotFoundError as exc:
            if exc.name != f"{config.name}.domain":
                raise


def _all_subclasses(cls: type) -> set[type]:
    found = set()
    for sub in cls.__subclasses__():
        found |= {sub, *_all_subclasses(sub)}
    return found


def _raise_from_view(exc: Exception, **view_attrs):
    """Runs a DRF view whose handler raises `exc`; the view carries `view_attrs` (e.g. its noun)."""

    class RaisingView(APIView):
        authentication_classes = []
        permission_classes = []

        def get(self, request):
            raise exc

    for name, value in view_attrs.items():
        setattr(RaisingView, name, value)
    response = APIRequestFactory().get("/anything")
    return RaisingView.as_view()(response)


# (error, view attributes, status, body): one documented answer per class, more for variants.
CASES = [
    (
        DomainValidationError("Bad value.", attr="field"),
        {},
        400,
        validation("field", "invalid_input", "Bad value."),
    ),
    (
        DomainValidationError("Gone.", attr="dataset", code="does_not_exist"),
        {},
        400,
        validation("dataset", "does_not_exist", "Gone."),
    ),
    (DomainValidationError("Whole body."), {}, 400, validation(None, "invalid_input", "Whole body.")),
    (
        NameTaken("secret-name"),
        {"record_noun": "prompt"},
        400,
        validation("name", "unique", "A prompt with this name already exists."),
    ),
    (
        NameTaken("secret-name", attr="new_name"),
        {"record_noun": "skill", "bare_name_taken_attrs": frozenset({"new_name"})},
        400,
        {"attr": "new_name", "detail": "A skill with this name already exists."},
    ),
    (
        ObjectNotFound("support-agent"),
        {"record_noun": "prompt"},
        404,
        {"detail": "Prompt with name 'support-agent' not found."},
    ),
    (ObjectNotFound(), {"record_noun": "scorer"}, 404, NOT_FOUND_ENVELOPE),
    (
        VersionConflict(7),
        {"record_noun": "scorer"},
        409,
        {
            "detail": "The scorer changed since you opened it. Reload the latest version and try again.",
            "current_version": 7,
        },
    ),
    (
        VersionLimitReached(2000),
        {"record_noun": "skill"},
        400,
        {
            "detail": "Skill has reached the maximum of 2000 versions. "
            "Archive and recreate the skill to continue publishing."
        },
    ),
]


@pytest.mark.parametrize(("error", "view_attrs", "status", "body"), CASES, ids=lambda v: type(v).__name__)
def test_domain_error_answer(error, view_attrs, status, body):
    response = _raise_from_view(error, **view_attrs)
    assert (response.status_code, response.data) == (status, body)


def test_name_taken_never_echoes_the_name():
    response = _raise_from_view(NameTaken("private-name-123"))
    assert response.status_code == 400
    assert "private-name-123" not in str(response.data)


def test_every_domain_error_class_has_a_documented_answer():
    """A new error class needs a case above (or is a DetailError, which declares its own body)."""
    _load_domain_modules()
    covered = {type(error) for error, *_ in CASES}
    for cls in _all_subclasses(DomainError):
        if issubclass(cls, DetailError):
            continue
        assert cls in covered, f"{cls.__module__}.{cls.__name__} has no answer in CASES"


def _detail_error(cls: type[DetailError]) -> DetailError:
    """An instance built from a message, from nothing, or from its keyword-only arguments."""
    for args in (("Something specific.",), ()):
        try:
            return cls(*args)
        except TypeError:
            continue
    parameters = inspect.signature(cls).parameters.values()
    return cls(**{p.name: 7 for p in parameters if p.kind is p.KEYWORD_ONLY and p.default is p.empty})


def _detail_error_instances():
    _load_domain_modules()
    for cls in sorted(_all_subclasses(DetailError), key=lambda c: (c.__module__, c.__name__)):
        yield _detail_error(cls)


def test_every_detail_error_answers_its_status_and_declared_body():
    errors = list(_detail_error_instances())
    assert errors, "the skills app defines DetailErrors"
    for error in errors:
        response = _raise_from_view(error)
        assert response.status_code == type(error).status_code, type(error).__name__
        assert response.data == error.body(), type(error).__name__


def test_a_detail_error_body_is_its_detail_and_extra_fields():
    from skills.domain import FileNotInSkill

    response = _raise_from_view(FileNotInSkill("File 'a.md' not found in skill 's'."))
    assert (response.status_code, response.data) == (404, {"detail": "File 'a.md' not found in skill 's'."})


def test_edit_failed_names_the_edit_and_the_file():
    from llm_server.domain import EditFailed

    response = _raise_from_view(EditFailed("No match.", edit_index=2, file_path="a.md"))
    assert (response.status_code, response.data) == (
        400,
        {"detail": "No match.", "edit_index": 2, "file_path": "a.md"},
    )


def test_unexpected_exception_is_a_bare_500_envelope():
    response = _raise_from_view(RuntimeError("boom"))
    assert (response.status_code, response.data) == (
        500,
        server_error(),
    )
