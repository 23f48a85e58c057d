"""No Docker engine runs here, so the compose file is checked against the settings it feeds, and the
image and the package build against the app registry (llm_server/apps_registry.py)."""

import re
import tomllib
from fnmatch import fnmatch
from importlib import import_module
from pathlib import Path

import dj_database_url
import yaml
from django.conf import settings
from django.urls import resolve

from llm_server.apps_registry import RESOURCE_APPS

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


def dockerignore_patterns() -> list[str]:
    lines = (ROOT / ".dockerignore").read_text().splitlines()
    return [line.strip().strip("/") for line in lines if line.strip() and not line.startswith("#")]


def docker_ignores(path: str, patterns: list[str]) -> bool:
    """Whether the build context leaves `path` out (Docker's rules: a pattern is anchored at the
    context root, `**/` matches at any depth, and leaving out a folder leaves out its contents)."""
    parts = path.split("/")
    for pattern in patterns:
        if pattern.startswith("**/"):
            if any(fnmatch(part, pattern[3:]) for part in parts):
                return True
        elif any(fnmatch("/".join(parts[:depth]), pattern) for depth in range(1, len(parts) + 1)):
            return True
    return False


def app_packages() -> list[str]:
    return ["llm_server", *RESOURCE_APPS]


def test_dockerfile_copies_every_app_package():
    dockerfile = (ROOT / "Dockerfile").read_text()
    assert "COPY . ." in dockerfile and "pip install ." in dockerfile
    patterns = dockerignore_patterns()
    assert not any(pattern.startswith("!") for pattern in patterns), "docker_ignores() has no negation"
    needed = ["pyproject.toml", "README.md", "manage.py"]
    for package in app_packages():
        files = (path for path in (ROOT / package).rglob("*") if path.is_file())
        needed += [str(path.relative_to(ROOT)) for path in files if "__pycache__" not in path.parts]
    kept_out = [path for path in needed if docker_ignores(path, patterns)]
    assert not kept_out, f".dockerignore leaves out files the image needs: {kept_out}"
    local_state = (
        ".venv",
        ".git",
        "var/secret_key",
        "db.sqlite3",
        "staticfiles",
        "datasets/__pycache__/x.pyc",
    )
    for local in local_state:
        assert docker_ignores(local, patterns), f"{local} would be copied into the image"


def test_package_build_includes_every_app():
    """setuptools' discovery: every folder with an `__init__.py` under `where`, unless excluded."""
    find = tomllib.loads((ROOT / "pyproject.toml").read_text())["tool"]["setuptools"]["packages"]["find"]
    assert "include" not in find, "an include list would need an edit per app"
    assert find["where"] == ["."]
    for package in app_packages():
        assert (ROOT / package / "__init__.py").is_file()
        for init in (ROOT / package).rglob("__init__.py"):
            name = ".".join(init.parent.relative_to(ROOT).parts)
            assert not any(fnmatch(name, pattern) for pattern in find["exclude"]), name
    for left_out in ("tests", "tests.datasets", "bench"):
        assert any(fnmatch(left_out, pattern) for pattern in find["exclude"]), left_out


def test_every_resource_app_is_installed_and_its_router_mounted():
    assert len(set(RESOURCE_APPS)) == len(RESOURCE_APPS)
    for app in RESOURCE_APPS:
        assert app in settings.INSTALLED_APPS
        for prefix, viewset, _basename in import_module(f"{app}.urls").router.registry:
            for base in ("projects", "environments"):
                match = resolve(f"/api/{base}/1/{prefix}/")
                assert match.func.cls is viewset, (app, prefix, base)
