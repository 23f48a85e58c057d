"""No Docker engine runs here, so the compose file is checked against the settings it feeds."""

import re
from pathlib import Path

import dj_database_url
import yaml

ROOT = Path(__file__).resolve().parent.parent
SETTINGS_SOURCE = (ROOT / "llm_server" / "settings.py").read_text()


def compose() -> dict:
    return yaml.safe_load((ROOT / "docker-compose.yml").read_text())


def read_env_names() -> set[str]:
    """Every environment variable the settings module reads."""
    return set(
        re.findall(
            r"""(?:environ\.get|environ\[|env_bool|env_list)\(?\s*["']([A-Z_]+)["']""", SETTINGS_SOURCE
        )
    )


def test_services_and_ports():
    services = compose()["services"]
    assert set(services) == {"db", "redis", "web"}
    assert services["db"]["image"].startswith("postgres:16")
    assert services["redis"]["image"].startswith("redis")
    assert services["web"]["build"] == "."
    assert "8000:8000" in services["web"]["ports"]
    assert services["web"]["depends_on"]["db"]["condition"] == "service_healthy"


def test_web_environment_is_read_by_settings_and_points_at_services():
    services = compose()["services"]
    env = services["web"]["environment"]
    unknown = set(env) - read_env_names()
    assert not unknown, f"compose sets variables the settings never read: {unknown}"
    db = dj_database_url.parse(env["DATABASE_URL"])
    db_env = services["db"]["environment"]
    assert db["HOST"] == "db" and db["PORT"] == 5432
    assert db["NAME"] == db_env["POSTGRES_DB"]
    assert db["USER"] == db_env["POSTGRES_USER"] and db["PASSWORD"] == db_env["POSTGRES_PASSWORD"]
    assert env["REDIS_URL"].startswith("redis://redis:6379")
    assert env["DEBUG"] == "false"


def test_web_migrates_serves_with_gunicorn_and_checks_health():
    web = compose()["services"]["web"]
    assert "migrate" in web["command"] and "gunicorn llm_server.wsgi" in web["command"]
    assert "0.0.0.0:8000" in web["command"]
    assert any("/_health" in part for part in web["healthcheck"]["test"])


def test_dockerfile_copies_every_app_package():
    dockerfile = (ROOT / "Dockerfile").read_text()
    for package in ("llm_server", "prompts", "skills", "datasets"):
        assert f"COPY {package} ./{package}" in dockerfile
