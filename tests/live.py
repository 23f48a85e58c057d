"""Helpers for tests that run against a live server (pytest-django's `live_server`)."""

import threading
from collections.abc import Callable

import pytest
import requests
from django.db import connection


def session_for(key: str) -> requests.Session:
    session = requests.Session()
    session.headers["Authorization"] = f"Bearer {key}"
    return session


def race_marks() -> list[pytest.MarkDecorator]:
    """`pytestmark` of a module of races: each request runs in its own live-server thread with its
    own connection, so only PostgreSQL's concurrent transactions and row locks make it a race."""
    return [
        pytest.mark.live,
        pytest.mark.django_db(transaction=True),
        pytest.mark.skipif(
            connection.vendor != "postgresql",
            reason="needs real concurrent transactions and row locks (PostgreSQL); SQLite serialises writers",
        ),
    ]


def run_together(calls: list[Callable[[], requests.Response]]) -> list[requests.Response]:
    """Starts every call at the same moment (one thread each); returns their responses in order."""
    barrier = threading.Barrier(len(calls))
    results: list[requests.Response | BaseException | None] = [None] * len(calls)

    def worker(index: int) -> None:
        try:
            barrier.wait(timeout=10)
            results[index] = calls[index]()
        except BaseException as exc:
            results[index] = exc

    threads = [threading.Thread(target=worker, args=(i,)) for i in range(len(calls))]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    for result in results:
        if isinstance(result, BaseException):
            raise result
    assert all(result is not None for result in results), "a request did not finish"
    return results  # type: ignore[return-value]
