"""Request bodies are capped, de-chunked and checked before any authenticator or parser reads them."""

import io

import pytest
from django.test import Client

from datasets.models import Dataset
from tests.api import bearer

LIMIT = 4096


@pytest.fixture
def small_limit(settings):
    settings.DATA_UPLOAD_MAX_MEMORY_SIZE = LIMIT


class ExplodingStream(io.BytesIO):
    """A body no one may read: the answer must come from the declared length alone."""

    def read(self, *args):
        raise AssertionError("the body was read")

    readline = read


def too_large() -> dict:
    return {
        "type": "invalid_request",
        "code": "request_too_large",
        "detail": "The request body is larger than this server accepts.",
        "attr": None,
    }


@pytest.mark.parametrize(
    "content_type", ["multipart/form-data; boundary=x", "application/json", "text/plain"]
)
@pytest.mark.parametrize("signed", [True, False])
def test_declared_length_over_the_limit_is_413_before_reading(world, small_limit, content_type, signed):
    client = Client(**(bearer(world.k_all) if signed else {}))
    response = client.generic(
        "POST",
        f"/api/projects/{world.t}/datasets/",
        CONTENT_TYPE=content_type,
        CONTENT_LENGTH=str(200 * 1024 * 1024),
        **{"wsgi.input": ExplodingStream()},
    )
    assert response.status_code == 413
    assert response.json() == too_large()


def chunked(client: Client, path: str, body: bytes, content_type: str = "application/json"):
    """A request as gunicorn hands a chunked one to Django: no Content-Length, the de-chunked
    body on `wsgi.input`, and `wsgi.input_terminated` set."""
    return client.generic(
        "POST",
        path,
        CONTENT_TYPE=content_type,
        CONTENT_LENGTH="",
        HTTP_TRANSFER_ENCODING="chunked",
        **{"wsgi.input": io.BytesIO(body), "wsgi.input_terminated": True},
    )


def test_chunked_json_body_is_read(world):
    client = Client(**bearer(world.k_all))
    response = chunked(client, f"/api/projects/{world.t}/datasets/", b'{"name": "from a chunked body"}')
    assert response.status_code == 201, response.content
    assert Dataset.objects.filter(team=world.team, name="from a chunked body").exists()


def test_chunked_body_over_the_limit_is_413(world, small_limit):
    client = Client(**bearer(world.k_all))
    body = b'{"name": "' + b"x" * LIMIT + b'"}'
    response = chunked(client, f"/api/projects/{world.t}/datasets/", body)
    assert response.status_code == 413
    assert response.json() == too_large()
    assert not Dataset.objects.filter(team=world.team).exists()


@pytest.mark.parametrize("body", [b"name=caf\xe9", b"name=caf%E9", b"name=%FF%FE"])
def test_form_body_that_is_not_utf8_is_refused(world, body):
    client = Client(**bearer(world.k_all))
    response = client.generic(
        "POST", f"/api/projects/{world.t}/datasets/", body, content_type="application/x-www-form-urlencoded"
    )
    assert response.status_code == 400
    assert response.json() == {
        "type": "validation_error",
        "code": "invalid_input",
        "detail": "The form body is not valid UTF-8 (after percent-decoding). Send UTF-8 text.",
        "attr": None,
    }
    assert not Dataset.objects.filter(team=world.team).exists()


def test_utf8_form_body_is_stored_as_sent(world):
    client = Client(**bearer(world.k_all))
    response = client.generic(
        "POST",
        f"/api/projects/{world.t}/datasets/",
        b"name=caf%C3%A9+%E2%9C%93",
        content_type="application/x-www-form-urlencoded",
    )
    assert response.status_code == 201, response.content
    assert response.json()["name"] == "café ✓"


def test_multipart_file_parts_are_refused(world):
    client = Client(**bearer(world.k_all))
    upload = io.BytesIO(b"x" * 100)
    upload.name = "data.bin"
    response = client.post(f"/api/projects/{world.t}/datasets/", {"name": "d", "attachment": upload})
    assert response.status_code == 400
    assert response.json()["detail"] == (
        "File uploads are not accepted (part: attachment). Send content as JSON strings instead."
    )
    assert not Dataset.objects.filter(team=world.team).exists()


def test_multipart_fields_still_work(world):
    client = Client(**bearer(world.k_all))
    response = client.post(f"/api/projects/{world.t}/datasets/", {"name": "from multipart"})
    assert response.status_code == 201, response.content
    assert response.json()["name"] == "from multipart"


class BrokenChunkedStream(io.BytesIO):
    """What the server's reader does with broken chunk framing or a client gone mid-body."""

    def read(self, *args):
        raise ValueError("Invalid chunk size")


@pytest.mark.parametrize("signed", [True, False])
def test_malformed_chunked_body_is_a_400_not_a_500(world, signed):
    client = Client(**(bearer(world.k_all) if signed else {}))
    response = client.generic(
        "POST",
        f"/api/projects/{world.t}/datasets/",
        CONTENT_TYPE="application/json",
        CONTENT_LENGTH="",
        HTTP_TRANSFER_ENCODING="chunked",
        **{"wsgi.input": BrokenChunkedStream(), "wsgi.input_terminated": True},
    )
    assert response.status_code == 400
    assert response.json() == {
        "type": "validation_error",
        "code": "invalid_input",
        "detail": "The chunked request body is malformed or incomplete.",
        "attr": None,
    }


@pytest.mark.parametrize("path", ["/batch/", "/i/v0/e/", "/i/v1/logs"])
def test_malformed_chunked_body_to_ingestion_is_a_400(world, path):
    response = Client().generic(
        "POST",
        f"{path}?token={world.team.api_token}",
        CONTENT_TYPE="application/json",
        CONTENT_LENGTH="",
        HTTP_TRANSFER_ENCODING="chunked",
        **{"wsgi.input": BrokenChunkedStream(), "wsgi.input_terminated": True},
    )
    assert response.status_code == 400, response.content
    assert "chunked encoding" in response.content.decode()
