"""The one client of the model behind the LLM-backed endpoints: any OpenAI-compatible chat
completions API, configured by LLM_API_BASE_URL, LLM_API_KEY and LLM_MODEL.

A call is bounded as a whole by its timeout: retries (after a dropped connection, a 429 or a 5xx)
only use what is left of it. Every failure of the provider surfaces as `LLMError`; an unconfigured
server raises `LLMNotConfigured` before anything is sent.
"""

import logging
import re
import time
from typing import Any

from django.conf import settings

from llm_server.domain import LLMNotConfigured

logger = logging.getLogger("llm_server.llm")

# A local server often takes no key, but the client library requires one.
PLACEHOLDER_API_KEY = "not-needed"
FIRST_BACKOFF_SECONDS = 0.25
SURROGATE = re.compile("[\ud800-\udfff]")


class LLMError(Exception):
    """The model gave no usable answer: unreachable, an error status, a timeout, a malformed reply."""


def is_configured() -> bool:
    return bool(settings.LLM_API_BASE_URL or settings.LLM_API_KEY)


def chat(
    messages: list[dict[str, str]],
    *,
    timeout: float,
    response_format: dict[str, Any] | None = None,
) -> str | None:
    """The content of the model's first choice (None when it sent none) for `messages`."""
    if not is_configured():
        raise LLMNotConfigured()
    # Imported on first use: the client library is about 50 MB of each worker's memory, and most
    # workers never call a model.
    import openai

    retryable_errors = (openai.APIConnectionError, openai.RateLimitError, openai.InternalServerError)
    deadline = time.monotonic() + timeout
    options: dict[str, Any] = {"model": settings.LLM_MODEL, "messages": messages}
    if response_format is not None:
        options["response_format"] = response_format
    with openai.OpenAI(
        base_url=settings.LLM_API_BASE_URL or None,
        api_key=settings.LLM_API_KEY or PLACEHOLDER_API_KEY,
        max_retries=0,
        timeout=timeout,
    ) as client:
        attempt = 0
        while True:
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                raise LLMError("The model did not answer in time.")
            try:
                completion = client.chat.completions.create(**options, timeout=remaining)
                return _first_content(completion)
            except retryable_errors as exc:
                attempt += 1
                backoff = FIRST_BACKOFF_SECONDS * 2 ** (attempt - 1)
                if attempt > settings.LLM_MAX_RETRIES or deadline - time.monotonic() <= backoff:
                    logger.warning("LLM call failed after %d attempt(s): %s", attempt, exc)
                    raise LLMError(str(exc)) from exc
                time.sleep(backoff)
            except LLMError:
                raise
            except Exception as exc:
                # Anything else (a 4xx, a body that is not a completion) will not improve on retry.
                logger.warning("LLM call failed: %r", exc)
                raise LLMError(str(exc)) from exc


def _first_content(completion: Any) -> str | None:
    choices = getattr(completion, "choices", None)
    if not choices:
        raise LLMError("The model sent no choices.")
    message = getattr(choices[0], "message", None)
    if message is None:
        raise LLMError("The model's choice has no message.")
    content = message.content
    if content is not None and not isinstance(content, str):
        raise LLMError("The model's message content is not text.")
    # A lone surrogate (a JSON escape of half a pair) is not text any response can carry.
    return SURROGATE.sub("\ufffd", content) if content is not None else None
