"""Latency of the prompt and skill endpoints against a live gunicorn server (make bench).

Seeds a project with prompts (several versions each) and skills (versions with bundled files),
starts gunicorn on a free local port and times sequential requests. Bounded: a fixed number of
requests per endpoint. Uses DATABASE_URL when set (a database named llm_server_bench is created and
dropped), else a temporary SQLite file.
"""

import os

from harness import created_key, engine, live_server, manage, scratch_database, signed_session, summary, timed

PROMPTS = int(os.environ.get("BENCH_PROMPTS", "1000"))
VERSIONS = int(os.environ.get("BENCH_VERSIONS", "5"))
REQUESTS = int(os.environ.get("BENCH_REQUESTS", "300"))
SKILLS = int(os.environ.get("BENCH_SKILLS", "300"))
SKILL_VERSIONS = 3
SKILL_FILES = 10


def seed(env: dict) -> dict:
    created = created_key(env)
    script = f"""
from llm_server.accounts.models import Team, User
from prompts.models import LLMPrompt
team = Team.objects.get(pk={created["project_id"]})
user = User.objects.get(pk={created["user_id"]})
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


def main() -> None:
    with scratch_database("llm_server_bench") as env:
        created = seed(env)
        with live_server(env) as server:
            session = signed_session(env)
            prompts = f"{server}/api/environments/{created['project_id']}/llm_prompts"
            skills = f"{server}/api/environments/{created['project_id']}/llm_skills"
            token = created["project_api_token"]
            edited = min(REQUESTS, SKILLS)
            print(f"{engine()}, gunicorn 2 workers x 2 threads")
            print(f"{PROMPTS} prompts x {VERSIONS} versions")
            timed(session, "GET", f"{prompts}/name/prompt-1/", 20)  # warm-up
            cases = [
                ("GET by name (SDK path)     ", "GET", lambda i: f"{prompts}/name/prompt-{i % PROMPTS}/?token={token}", REQUESTS, None),
                ("GET by name ?version=1     ", "GET", lambda i: f"{prompts}/name/prompt-{i % PROMPTS}/?version=1", REQUESTS, None),
                ("list (limit 100)           ", "GET", f"{prompts}/?limit=100", REQUESTS // 3, None),
                ("list search                ", "GET", f"{prompts}/?search=assistant%2042", REQUESTS // 3, None),
                ("resolve (50 versions page) ", "GET", lambda i: f"{prompts}/resolve/name/prompt-{i % PROMPTS}/", REQUESTS, None),
                ("publish (PATCH by name)    ", "PATCH", lambda i: f"{prompts}/name/prompt-{i}/", min(REQUESTS, PROMPTS),
                 lambda i: {"prompt": f"new text {i}", "base_version": VERSIONS}),
                (f"{SKILLS} skills x {SKILL_VERSIONS} versions, {SKILL_FILES} files of 2 kB each, 20 kB bodies", None, None, 0, None),
                ("skill GET by name          ", "GET", lambda i: f"{skills}/name/skill-{i % SKILLS}/", REQUESTS, None),
                ("skill list (limit 100)     ", "GET", f"{skills}/?limit=100", REQUESTS // 3, None),
                ("skill GET file             ", "GET", lambda i: f"{skills}/name/skill-{i % SKILLS}/files/references/doc-3.md", REQUESTS, None),
                ("skill publish (body edit)  ", "PATCH", lambda i: f"{skills}/name/skill-{i}/", edited,
                 lambda i: {"edits": [{"old": f"marker-{i}-{SKILL_VERSIONS}", "new": "edited"}], "base_version": SKILL_VERSIONS}),
                ("skill file create          ", "POST", lambda i: f"{skills}/name/skill-{i}/files/", edited,
                 lambda i: {"path": "scripts/new.sh", "content": "echo hi"}),
            ]  # fmt: skip
            for label, method, url, count, body_for in cases:
                if method is None:
                    print(label)
                    continue
                print(label, summary(timed(session, method, url, count, body_for=body_for)))


if __name__ == "__main__":
    main()
