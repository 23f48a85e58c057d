"""gunicorn's access log without secrets: a personal API key sent in the query string (or a
referrer) would otherwise be written in clear with the request line."""

import re

from gunicorn.glogging import Logger

PERSONAL_KEY = re.compile(r"phx_[A-Za-z0-9_\-]+")
KEY_PARAMETER = re.compile(r"((?:^|[?&])personal_api_key=)[^&\s\"]*", re.IGNORECASE)
REDACTED = "[redacted]"


def redact(text: str) -> str:
    return PERSONAL_KEY.sub(REDACTED, KEY_PARAMETER.sub(rf"\g<1>{REDACTED}", text))


class RedactingLogger(Logger):
    def atoms(self, resp, req, environ, request_time) -> dict:
        atoms = super().atoms(resp, req, environ, request_time)
        return {name: redact(value) if isinstance(value, str) else value for name, value in atoms.items()}
