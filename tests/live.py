"""Helpers for tests that run against a live server (pytest-django's `live_server`)."""

import requests


def session_for(key: str) -> requests.Session:
    session = requests.Session()
    session.headers["Authorization"] = f"Bearer {key}"
    return session
