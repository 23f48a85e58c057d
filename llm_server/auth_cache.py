"""A short-lived shared cache of what every request re-reads: the personal API key (with its user) by
key hash, and the project a request addresses (with its organization and the caller's membership).

Entries live in Django's cache (Redis, or files shared by one machine's workers), so every worker
sees one state. Each entry carries the generation it was read under; any write to the accounts rows
those entries are built from replaces the generation (see `invalidate`), so the next request on any
worker reads the database again. The TTL only bounds a write that bypassed the invalidation.

Entries hold plain column values, never pickled model instances: a rebuilt instance is exactly what a
query would have returned (relations not cached here load lazily, as before).
"""

import secrets
from collections.abc import Callable, Iterable
from typing import Any, TypeVar

from django.conf import settings
from django.core.cache import cache
from django.db import DEFAULT_DB_ALIAS, models, transaction

DEFAULT_AUTH_CACHE_SECONDS = 60
# Replaced by writes to projects and organizations: every entry depends on them.
GENERATION_KEY = "auth:generation"

Model = TypeVar("Model", bound=models.Model)
Loaded = TypeVar("Loaded")


def cache_seconds() -> int:
    """How long an entry may be served (0 disables the cache); `settings.AUTH_CACHE_SECONDS`."""
    return getattr(settings, "AUTH_CACHE_SECONDS", DEFAULT_AUTH_CACHE_SECONDS)


def user_generation_key(user_id: int) -> str:
    """Replaced by writes to one user, their keys or memberships: only their entries depend on them."""
    return f"auth:generation:user:{user_id}"


def _replace_generations(names: list[str]) -> None:
    cache.set_many({name: secrets.token_hex(8) for name in names}, timeout=None)


def invalidate(user_ids: Iterable[int] | None = None) -> None:
    """Makes cached entries stale: those of these users, or all of them (None)."""
    if cache_seconds() <= 0:
        return
    names = [GENERATION_KEY] if user_ids is None else [user_generation_key(pk) for pk in set(user_ids)]
    if not names:
        return
    _replace_generations(names)
    # Again once the write is committed: a request that read the old rows before the commit may have
    # cached them under the generation set just now.
    transaction.on_commit(lambda: _replace_generations(names), robust=True)


def _generations(names: list[str], found: dict[str, Any]) -> tuple[str, ...]:
    """The current value of each generation, starting those that are missing (first use, evicted)."""
    missing = [name for name in names if name not in found]
    if missing:
        found.update(cache.get_many(missing))
    current = []
    for name in names:
        if name not in found:
            # Another worker may start the same one at the same moment: whoever adds first wins.
            started = secrets.token_hex(8)
            found[name] = started if cache.add(name, started, timeout=None) else cache.get(name, started)
        current.append(found[name])
    return tuple(current)


def _generation_names(user_id: int | None) -> list[str]:
    return [GENERATION_KEY] if user_id is None else [GENERATION_KEY, user_generation_key(user_id)]


def cached(
    entry_key: str,
    load: Callable[[], Loaded | None],
    dump: Callable[[Loaded], Any],
    build: Callable[[Any], Loaded],
    *,
    user_of: Callable[[Loaded], int | None],
    user_id: int | None = None,
) -> Loaded | None:
    """`load()` through the cache: a fresh entry is rebuilt with `build`, otherwise `load()` runs and
    what it found is stored as `dump(found)`. Nothing found (None) is not cached.

    An entry is fresh while the global generation and that of the user it concerns (`user_of` what
    was loaded) are unchanged; pass `user_id` when that user is known beforehand, to read all in one
    round trip."""
    seconds = cache_seconds()
    if seconds <= 0:
        return load()
    found = cache.get_many([entry_key, *_generation_names(user_id)])
    entry = found.pop(entry_key, None)
    if entry is not None:
        stored_generations, entry_user_id, data = entry
        if stored_generations == _generations(_generation_names(entry_user_id), found):
            return build(data)
    loaded = load()
    if loaded is not None:
        owner = user_of(loaded)
        # Generations already in `found` were read before the rows: a write committed meanwhile
        # replaced them, so this entry is stale at once. A key's user generation, unknown until
        # now, is read after them; the TTL bounds that narrow race.
        generations = _generations(_generation_names(owner), found)
        cache.set(entry_key, (generations, owner, dump(loaded)), timeout=seconds)
    return loaded


def forget(entry_key: str) -> None:
    """Drops one entry, for a write that only that entry shows (so the others stay valid)."""
    if cache_seconds() > 0:
        cache.delete(entry_key)


def model_row(instance: models.Model, exclude: frozenset[str] = frozenset()) -> dict[str, Any]:
    """The instance's column values by attribute name, in field order (what `model_instance` takes)."""
    return {
        field.attname: getattr(instance, field.attname)
        for field in instance._meta.concrete_fields
        if field.attname not in exclude
    }


def model_instance(model: type[Model], row: dict[str, Any]) -> Model:
    """The instance a query for these columns would return; columns left out load on first access."""
    return model.from_db(DEFAULT_DB_ALIAS, list(row), list(row.values()))
