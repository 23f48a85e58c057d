"""Rendered payloads of immutable rows, cached under a key naming everything they depend on.

A key is a digest of the inputs a payload is built from (row ids, the history's latest version,
the creator's columns, the request's parameters), read by one cheap query on every request. A
write changes those inputs, so a read after it looks up a new key: nothing is ever invalidated,
and no worker or cache can serve a payload for a state it was not built from. The same digest is
the strong ETag, so a conditional GET is answered from the cheap query alone.

The cache is an accelerator only: an unavailable cache (Redis down) means building every time.
"""

import hashlib
import logging
from typing import Any

from django.core.cache import caches
from django.http import HttpResponseNotModified
from django.utils.http import parse_etags

logger = logging.getLogger(__name__)

# Bumped whenever a cached payload's shape changes, so old entries are never served.
FORMAT = "2"
# Entries never go stale; the timeout only returns space held by rows nobody reads.
TIMEOUT_SECONDS = 24 * 3600
# Marks "built, and there is nothing" (a file a version does not have), as distinct from a miss.
ABSENT = "__absent__"


def digest(*parts: Any) -> str:
    """A stable digest of `parts` (repr of str, int, bool, None and tuples of them)."""
    return hashlib.blake2b(
        repr((FORMAT, *parts)).encode("utf-8", "surrogatepass"), digest_size=20
    ).hexdigest()


def etag(key: str) -> str:
    return f'"{key}"'


def payload_cache():
    """The `payloads` cache: Redis when configured, else each worker's own memory. Keys name the
    exact state a payload was built from, so a per-worker copy can never be stale."""
    return caches["payloads"]


def get(key: str) -> Any:
    try:
        return payload_cache().get(f"payload:{key}")
    except Exception:  # a cache outage must not fail reads
        logger.warning("payload cache read failed", exc_info=True)
        return None


def put(key: str, value: Any) -> None:
    try:
        payload_cache().set(f"payload:{key}", value, TIMEOUT_SECONDS)
    except Exception:  # a cache outage must not fail reads
        logger.warning("payload cache write failed", exc_info=True)


def none_match(request, tag: str) -> bool:
    """Whether `If-None-Match` matches `tag` (RFC 9110 13.1.2: `*`, or a list compared weakly)."""
    header = request.headers.get("If-None-Match")
    if not header:
        return False
    tags = parse_etags(header)
    if tags == ["*"]:
        return True
    opaque = tag.removeprefix("W/")
    return any(candidate.removeprefix("W/") == opaque for candidate in tags)


def not_modified(tag: str) -> HttpResponseNotModified:
    response = HttpResponseNotModified()
    response["ETag"] = tag
    return response
