"""Latency of the prompt and skill endpoints against a live gunicorn server (make bench).

Seeds a project with prompts (several versions each) and skills (versions with bundled files),
starts gunicorn on a free local port and
times sequential requests. Bounded: a fixed number of requests per endpoint. Uses DATABASE_URL
when set (a database named *_bench is created and dropped), else a temporary SQLite file.
"""

import json
import os
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import requests

ROOT = Path(__file__).resolve().parent.parent
PROMPTS = int(os.environ.get("BENCH_PROMPTS", "1000"))
VERSIONS = int(os.environ.get("BENCH_VERSIONS", "5"))
REQUESTS = int(os.environ.get("BENCH_REQUESTS", "300"))
SKILLS = int(os.environ.get("BENCH_SKILLS", "300"))
SKILL_VERSIONS = 3
SKILL_FILES = 10


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def database_url(tmp: str) -> str:
    base = os.environ.get("DATABASE_URL")
    if not base:
        return f"sqlite:///{tmp}/bench.sqlite3"
    return base.rsplit("/", 1)[0] + "/llm_server_bench"


def manage(env: dict, *args: str) -> str:
    return subprocess.run(
        [sys.executable, "manage.py", *args], cwd=ROOT, env=env, check=True, capture_output=True, text=True
    ).stdout


def seed(env: dict) -> dict:
    manage(env, "migrate", "--noinput", "-v0")
    created = json.loads(manage(env, "create_personal_api_key", "--email", "bench@example.com"))
    script = f"""
from llm_server.accounts.models import Team, User
from prompts.models import LLMPrompt
team = Team.objects.get(pk={created['project_id']})
user = User.objects.get(pk={created['user_id']})
if not LLMPrompt.objects.filter(team=team).exists():
    rows = []
    for i in range({PROMPTS}):
        for v in range(1, {VERSIONS} + 1):
            rows.append(LLMPrompt(team=team, name=f"prompt-{{i}}", version=v, is_latest=v == {VERSIONS},
                                  created_by=user, prompt=f"You are assistant {{i}}, version {{v}}. " * 20))
    LLMPrompt.objects.bulk_create(rows, batch_size=2000)

from skills.content import outline
from skills.models import LLMSkill, LLMSkillFile
if not LLMSkill.objects.filter(team=team).exists():
    body = "# Skill\\n\\n" + "".join(f"## Step {{n}}\\n" + "Do this thing carefully and check it.\\n" * 25 for n in range(20))
    versions, files = [], []
    for i in range({SKILLS}):
        for v in range(1, {SKILL_VERSIONS} + 1):
            row = LLMSkill(team=team, name=f"skill-{{i}}", version=v, is_latest=v == {SKILL_VERSIONS},
                           created_by=user, description=f"Skill number {{i}}", body=body + f"\\nmarker-{{i}}-{{v}}",
                           outline=outline(body))
            versions.append(row)
            files += [LLMSkillFile(skill_version=row, path=f"references/doc-{{f}}.md", content="x" * 2000)
                      for f in range({SKILL_FILES})]
    LLMSkill.objects.bulk_create(versions, batch_size=1000)
    LLMSkillFile.objects.bulk_create(files, batch_size=2000)
"""
    manage(env, "shell", "-c", script)
    return created


def timed(session: requests.Session, method: str, url: str, count: int, body_for=None) -> list[float]:
    samples = []
    for i in range(count):
        start = time.perf_counter()
        response = session.request(method, url(i) if callable(url) else url, json=body_for(i) if body_for else None)
        samples.append((time.perf_counter() - start) * 1000)
        if response.status_code >= 400:
            raise SystemExit(f"{method} {response.url} -> {response.status_code} {response.text[:200]}")
    return samples


def summary(samples: list[float]) -> str:
    ordered = sorted(samples)
    p95 = ordered[int(len(ordered) * 0.95) - 1]
    return f"p50 {statistics.median(ordered):6.2f} ms  p95 {p95:6.2f} ms  ({len(ordered)} requests)"


def main() -> None:
    with tempfile.TemporaryDirectory() as tmp:
        env = {**os.environ, "DATABASE_URL": database_url(tmp), "DEBUG": "false", "LOG_LEVEL": "WARNING"}
        if os.environ.get("DATABASE_URL"):
            subprocess.run(["psql", os.environ["DATABASE_URL"].rsplit("/", 1)[0] + "/postgres", "-qc",
                            "DROP DATABASE IF EXISTS llm_server_bench"], check=True)
            subprocess.run(["psql", os.environ["DATABASE_URL"].rsplit("/", 1)[0] + "/postgres", "-qc",
                            "CREATE DATABASE llm_server_bench"], check=True)
        created = seed(env)
        port = free_port()
        server = subprocess.Popen(
            [sys.executable, "-m", "gunicorn", "llm_server.wsgi", "--bind", f"127.0.0.1:{port}",
             "--workers", "2", "--threads", "2", "--log-level", "warning"],
            cwd=ROOT, env=env,
        )
        try:
            base = f"http://127.0.0.1:{port}/api/environments/{created['project_id']}/llm_prompts"
            session = requests.Session()
            session.headers["Authorization"] = f"Bearer {created['key']}"
            for _ in range(50):
                try:
                    if requests.get(f"http://127.0.0.1:{port}/_health", timeout=1).ok:
                        break
                except requests.RequestException:
                    time.sleep(0.2)
            engine = "PostgreSQL" if os.environ.get("DATABASE_URL") else "SQLite"
            print(f"{engine}, {PROMPTS} prompts x {VERSIONS} versions, gunicorn 2 workers x 2 threads")
            timed(session, "GET", f"{base}/name/prompt-1/", 20)  # warm-up
            print("GET by name (SDK path)     ", summary(timed(session, "GET", lambda i: f"{base}/name/prompt-{i % PROMPTS}/?token={created['project_api_token']}", REQUESTS)))
            print("GET by name ?version=1     ", summary(timed(session, "GET", lambda i: f"{base}/name/prompt-{i % PROMPTS}/?version=1", REQUESTS)))
            print("list (limit 100)           ", summary(timed(session, "GET", f"{base}/?limit=100", REQUESTS // 3)))
            print("list search                ", summary(timed(session, "GET", f"{base}/?search=assistant%2042", REQUESTS // 3)))
            print("resolve (50 versions page) ", summary(timed(session, "GET", lambda i: f"{base}/resolve/name/prompt-{i % PROMPTS}/", REQUESTS)))
            print("publish (PATCH by name)    ", summary(timed(
                session, "PATCH", lambda i: f"{base}/name/prompt-{i}/", min(REQUESTS, PROMPTS),
                body_for=lambda i: {"prompt": f"new text {i}", "base_version": VERSIONS},
            )))
            skills = f"http://127.0.0.1:{port}/api/environments/{created['project_id']}/llm_skills"
            print(f"{SKILLS} skills x {SKILL_VERSIONS} versions, {SKILL_FILES} files of 2 kB each, 20 kB bodies")
            timed(session, "GET", f"{skills}/name/skill-1/", 20)  # warm-up
            print("skill GET by name          ", summary(timed(session, "GET", lambda i: f"{skills}/name/skill-{i % SKILLS}/", REQUESTS)))
            print("skill list (limit 100)     ", summary(timed(session, "GET", f"{skills}/?limit=100", REQUESTS // 3)))
            print("skill GET file             ", summary(timed(session, "GET", lambda i: f"{skills}/name/skill-{i % SKILLS}/files/references/doc-3.md", REQUESTS)))
            print("skill publish (body edit)  ", summary(timed(
                session, "PATCH", lambda i: f"{skills}/name/skill-{i}/", min(REQUESTS, SKILLS),
                body_for=lambda i: {"edits": [{"old": f"marker-{i}-{SKILL_VERSIONS}", "new": "edited"}],
                                    "base_version": SKILL_VERSIONS},
            )))
            print("skill file create          ", summary(timed(
                session, "POST", lambda i: f"{skills}/name/skill-{i}/files/", min(REQUESTS, SKILLS),
                body_for=lambda i: {"path": "scripts/new.sh", "content": "echo hi"},
            )))
        finally:
            server.terminate()
            server.wait(timeout=10)


if __name__ == "__main__":
    main()
