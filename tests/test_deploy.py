"""No Docker engine runs here, so the compose file is checked against the settings it feeds, and the
image and the package build against the app registry (llm_server/apps_registry.py)."""

import os
import re
import secrets
import shlex
import socket
import subprocess
import sys
import time
import tomllib
from fnmatch import fnmatch
from importlib import import_module
from pathlib import Path

import dj_database_url
import pytest
import yaml
from django.conf import settings
from django.urls import resolve

from llm_server.apps_registry import RESOURCE_APPS

ROOT = Path(__file__).resolve().parent.parent
SETTINGS_SOURCE = (ROOT / "llm_server" / "settings.py").read_text()


def compose() -> dict:
    return yaml.safe_load((ROOT / "docker-compose.yml").read_text())


def read_env_names() -> set[str]:
    """Every environment variable the settings module and the gunicorn configuration read."""
    sources = SETTINGS_SOURCE + (ROOT / "gunicorn.conf.py").read_text()
    return set(
        re.findall(r"""(?:environ\.get|environ\[|env_bool|env_list)\(?\s*["']([A-Z_]+)["']""", sources)
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
    assert "migrate" in web["command"] and "gunicorn -c gunicorn.conf.py" in web["command"]
    assert "0.0.0.0:8000" in web["command"]
    assert any("/_health" in part for part in web["healthcheck"]["test"])


def test_every_server_command_uses_the_one_gunicorn_configuration():
    dockerfile = (ROOT / "Dockerfile").read_text()
    makefile = (ROOT / "Makefile").read_text()
    readme = (ROOT / "README.md").read_text()
    assert "exec gunicorn -c gunicorn.conf.py" in dockerfile
    assert "$(BIN)/gunicorn -c gunicorn.conf.py" in makefile
    assert ".venv/bin/gunicorn -c gunicorn.conf.py" in readme
    for text in (dockerfile, makefile, readme, (ROOT / "docker-compose.yml").read_text()):
        assert "--workers" not in text and "--threads" not in text, "worker settings live in gunicorn.conf.py"


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
    needed = ["pyproject.toml", "README.md", "LICENSE", "manage.py", "gunicorn.conf.py"]
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


# ---- no secret in the image or in compose --------------------------------------------------------


def test_compose_has_no_fallback_secret_and_keeps_a_generated_one_in_a_volume():
    web = compose()["services"]["web"]
    assert web["environment"]["SECRET_KEY"] == "${SECRET_KEY:-}"
    assert "webstate:/app/var" in web["volumes"]
    assert "webstate" in compose()["volumes"]
    dockerfile = (ROOT / "Dockerfile").read_text()
    assert 'VOLUME ["/app/var"]' in dockerfile
    assert "ENV SECRET_KEY" not in dockerfile and "ARG SECRET_KEY" not in dockerfile


def test_image_build_runs_collectstatic_with_a_throwaway_key_and_checks_none_was_written():
    build = re.search(r"^RUN pip install \..*?(?=^\S)", (ROOT / "Dockerfile").read_text(), re.M | re.S).group(
        0
    )
    assert re.search(
        r'SECRET_KEY="\$\(python -c [^"]*secrets\.token_urlsafe\(50\)[^"]*\)"\s*\\\s*python manage\.py collectstatic',
        build,
    )
    assert "test ! -e /app/var/secret_key" in build


def settings_process(tmp_path: Path, *args: str, **env: str) -> subprocess.CompletedProcess:
    """A fresh process that imports the settings (as any manage.py command, the build's
    collectstatic included, does), with SECRET_KEY_FILE in `tmp_path`."""
    base = {k: v for k, v in os.environ.items() if k not in {"SECRET_KEY", "SECRET_KEY_FILE"}}
    base.update({"DJANGO_SETTINGS_MODULE": "llm_server.settings", "SECRET_KEY_FILE": str(tmp_path / "key")})
    base.update(env)
    code = "import django; django.setup(); from django.conf import settings; print(settings.SECRET_KEY)"
    return subprocess.run(
        [sys.executable, "-c", code, *args], cwd=ROOT, env=base, capture_output=True, text=True
    )


@pytest.mark.parametrize(
    "placeholder",
    [
        "change-me-to-a-long-random-string",
        "CHANGE-ME",
        "changeme-please-this-is-long-enough-1234",
        "secret",
        "django-insecure-0123456789abcdefghijklmnopqrstuvwxyz",
        "too-short-but-random-x8Qz",
    ],
)
def test_placeholder_or_short_secret_key_refuses_to_start(tmp_path, placeholder):
    ran = settings_process(tmp_path, SECRET_KEY=placeholder)
    assert ran.returncode != 0
    assert "ImproperlyConfigured: SECRET_KEY" in ran.stderr
    assert "token_urlsafe(50)" in ran.stderr and "leave SECRET_KEY unset" in ran.stderr
    if len(placeholder) > 10:  # the message never repeats the value
        assert placeholder not in ran.stderr.split("ImproperlyConfigured:", 1)[1]
    assert not (tmp_path / "key").exists()


def test_a_configured_key_is_used_and_no_key_file_is_written(tmp_path):
    key = secrets.token_urlsafe(50)
    ran = settings_process(tmp_path, SECRET_KEY=key)
    assert ran.returncode == 0, ran.stderr
    assert ran.stdout.strip() == key
    assert not (tmp_path / "key").exists()


def test_without_a_key_one_is_generated_once_and_kept(tmp_path):
    first = settings_process(tmp_path)
    assert first.returncode == 0, first.stderr
    stored = (tmp_path / "key").read_text()
    assert first.stdout.strip() == stored and len(stored) >= 50
    assert (tmp_path / "key").stat().st_mode & 0o777 == 0o600
    assert settings_process(tmp_path).stdout.strip() == stored
    assert settings_process(tmp_path, SECRET_KEY="").stdout.strip() == stored


def test_processes_starting_together_agree_on_one_generated_key(tmp_path):
    base = {k: v for k, v in os.environ.items() if k not in {"SECRET_KEY"}}
    base.update({"DJANGO_SETTINGS_MODULE": "llm_server.settings", "SECRET_KEY_FILE": str(tmp_path / "key")})
    code = "import django; django.setup(); from django.conf import settings; print(settings.SECRET_KEY)"
    starting = [
        subprocess.Popen([sys.executable, "-c", code], cwd=ROOT, env=base, stdout=subprocess.PIPE, text=True)
        for _ in range(6)
    ]
    keys = {process.communicate(timeout=60)[0].strip() for process in starting}
    assert keys == {(tmp_path / "key").read_text()}
    assert sorted(path.name for path in tmp_path.iterdir()) == ["key"]


# ---- the health check answers whatever ALLOWED_HOSTS says ----------------------------------------


def test_health_answers_a_host_outside_allowed_hosts_without_logging_an_error(client, db, settings, caplog):
    settings.ALLOWED_HOSTS = ["llm.example.com"]
    settings.SECURE_SSL_REDIRECT = True
    response = client.get("/_health", HTTP_HOST="127.0.0.1:8000")
    assert response.status_code == 200
    assert response.content == b'{"status":"ok"}'
    assert not [record for record in caplog.records if record.name.startswith("django.security")]
    # Everything else still validates the host.
    assert client.get("/api/schema/", HTTP_HOST="127.0.0.1:8000").status_code == 400


def health_check_commands() -> dict[str, list[str]]:
    """The image's and compose's health-check commands, as argv lists."""
    dockerfile = (ROOT / "Dockerfile").read_text()
    image = shlex.split(re.search(r"HEALTHCHECK[^\n]*\\\n\s*CMD (.+)", dockerfile).group(1))
    composed = compose()["services"]["web"]["healthcheck"]["test"]
    assert composed[0] == "CMD"
    return {"image": image, "compose": composed[1:]}


def wait_until_answering(port: int, seconds: float = 60) -> None:
    """Until a worker answers HTTP at all (any status): the socket accepts before workers boot."""
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=1) as connection:
                connection.settimeout(10)
                connection.sendall(b"HEAD /_health HTTP/1.0\r\nHost: probe.invalid\r\n\r\n")
                if connection.recv(16).startswith(b"HTTP/"):
                    return
        except OSError:
            pass
        time.sleep(0.2)
    raise AssertionError(f"gunicorn on port {port} never answered")


@pytest.mark.live
def test_health_check_commands_pass_against_gunicorn_with_public_allowed_hosts(tmp_path):
    """gunicorn as the image runs it, with ALLOWED_HOSTS set to a public name only; the health
    checks of the Dockerfile and compose file, run as written, pass and nothing is logged. Its
    access log masks a personal API key sent in the query string or a referrer."""
    secret = "phx_" + secrets.token_urlsafe(30).replace("-", "a")
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    env = {
        **os.environ,
        "ALLOWED_HOSTS": "llm.example.com",
        "DATABASE_URL": f"sqlite:///{tmp_path / 'db.sqlite3'}",
        "SECRET_KEY": secrets.token_urlsafe(50),
        "BIND": f"127.0.0.1:{port}",
        "PORT": str(port),
        "WEB_CONCURRENCY": "1",
        "ACCESS_LOG": "true",
    }
    log = (tmp_path / "gunicorn.log").open("w")
    server = subprocess.Popen(
        [sys.executable, "-m", "gunicorn", "-c", "gunicorn.conf.py"],
        cwd=ROOT,
        env=env,
        stdout=log,
        stderr=log,
    )
    try:
        wait_until_answering(port)
        for name, argv in health_check_commands().items():
            argv = [sys.executable if argv[0] == "python" else argv[0], *argv[1:]]
            if name == "compose":  # compose's check names the container's port 8000
                argv = [part.replace("127.0.0.1:8000", f"127.0.0.1:{port}") for part in argv]
            ran = subprocess.run(argv, env=env, capture_output=True, text=True, timeout=10)
            assert ran.returncode == 0, (name, ran.stderr)
        with socket.create_connection(("127.0.0.1", port), timeout=10) as connection:
            connection.sendall(
                f"GET /_health?personal_api_key={secret}&x=1 HTTP/1.0\r\nHost: llm.example.com\r\n"
                f"Referer: https://app.example.com/?personal_api_key={secret}\r\n\r\n".encode()
            )
            assert connection.recv(64).startswith(b"HTTP/1.0 200")
        # Broken chunk framing, as gunicorn reports it to the application: a 400, not a 500.
        for path in ("/api/projects/1/datasets/", "/batch/"):
            with socket.create_connection(("127.0.0.1", port), timeout=10) as connection:
                connection.sendall(
                    f"POST {path} HTTP/1.1\r\nHost: llm.example.com\r\nContent-Type: application/json\r\n"
                    "Connection: close\r\nTransfer-Encoding: chunked\r\n\r\nZZ\r\n{}\r\n0\r\n\r\n".encode()
                )
                assert connection.recv(64).startswith(b"HTTP/1.1 400"), path
    finally:
        server.terminate()
        server.wait(timeout=10)
        log.close()
    logged = (tmp_path / "gunicorn.log").read_text()
    assert "DisallowedHost" not in logged and "Traceback" not in logged
    assert "GET /_health?personal_api_key=[redacted]&x=1" in logged
    assert secret not in logged and secret[4:20] not in logged


def docker_engine_available() -> bool:
    try:
        return subprocess.run(["docker", "info"], capture_output=True, timeout=20).returncode == 0
    except (OSError, subprocess.TimeoutExpired):
        return False


@pytest.mark.live
@pytest.mark.skipif(
    not docker_engine_available(),
    reason="no Docker engine here; the settings tests above check what the image relies on",
)
def test_image_builds_holds_no_key_refuses_a_placeholder_and_is_healthy():
    tag = "llm-server-test:latest"
    subprocess.run(["docker", "build", "-t", tag, str(ROOT)], check=True, timeout=900)
    run = ["docker", "run", "--rm", "--entrypoint", "sh", tag, "-c"]
    assert subprocess.run([*run, "test ! -e /app/var/secret_key"]).returncode == 0
    refused = subprocess.run(
        ["docker", "run", "--rm", "-e", "SECRET_KEY=change-me-to-a-long-random-string", tag],
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert refused.returncode != 0 and "SECRET_KEY is a placeholder" in refused.stderr
    name = f"llm-server-test-{secrets.token_hex(4)}"
    subprocess.run(
        [
            "docker",
            "run",
            "-d",
            "--name",
            name,
            "-e",
            "ALLOWED_HOSTS=llm.example.com",
            "-e",
            "DATABASE_URL=sqlite:////app/var/db.sqlite3",
            tag,
        ],
        check=True,
        timeout=60,
    )
    try:
        status = ""
        for _ in range(60):
            status = subprocess.run(
                ["docker", "inspect", "-f", "{{.State.Health.Status}}", name], capture_output=True, text=True
            ).stdout.strip()
            if status in ("healthy", "unhealthy"):
                break
            time.sleep(2)
        assert status == "healthy"
        generated = subprocess.run(
            ["docker", "exec", name, "cat", "/app/var/secret_key"], capture_output=True, text=True
        )
        assert len(generated.stdout.strip()) >= 50
    finally:
        subprocess.run(["docker", "rm", "-f", name], capture_output=True)


# ---- packaging metadata --------------------------------------------------------------------------


def test_license_is_an_spdx_expression_with_its_file():
    """A `project.license` table is deprecated (setuptools warns on every install)."""
    pyproject = tomllib.loads((ROOT / "pyproject.toml").read_text())
    assert pyproject["project"]["license"] == "MIT"
    assert not any(c.startswith("License ::") for c in pyproject["project"].get("classifiers", []))
    assert "MIT License" in (ROOT / "LICENSE").read_text()
    minimum = re.search(r"setuptools>=(\d+)", " ".join(pyproject["build-system"]["requires"])).group(1)
    assert int(minimum) >= 77, "SPDX license strings need setuptools 77"


def test_a_worker_does_not_load_the_model_client_until_a_model_is_called():
    """The OpenAI client library is about 50 MB of a worker's memory; only translate and explain
    use it, so loading every route must not import it."""
    code = (
        "import sys, django; django.setup(); import llm_server.urls; "
        "from django.urls import get_resolver; get_resolver().url_patterns; "
        "print('openai' in sys.modules)"
    )
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "llm_server.settings",
        "SECRET_KEY": secrets.token_urlsafe(50),
    }
    ran = subprocess.run([sys.executable, "-c", code], cwd=ROOT, env=env, capture_output=True, text=True)
    assert ran.returncode == 0, ran.stderr
    assert ran.stdout.strip() == "False"
