"""Seeds the benchmark's project with production-sized volumes, in SQL (run by bench/load.py).

Run as a script in the server's environment (DATABASE_URL of the scratch database):

    python bench/seed.py '{"project_id": 1, "user_id": 1, "email": "bench@example.com"}'

Prints one JSON line: the ids the benchmark needs, the volumes and the seconds each part took.
Bulk rows are written by single INSERT ... SELECT statements over a series (PostgreSQL
generate_series, SQLite a recursive CTE), so 1,000,000 events take seconds, not an ORM loop; the
few hundred review queues and score definitions go through the ORM / services. BENCH_SCALE
multiplies every volume (default 1, and 0.1 on SQLite).
"""

import json
import os
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "llm_server.settings")

import django  # noqa: E402

django.setup()

from django.db import connection  # noqa: E402

from datasets.models import Dataset, DatasetItem  # noqa: E402
from events.models import Event, Person, PersonDistinctId  # noqa: E402
from llm_server.accounts.models import Team, User  # noqa: E402
from llm_server.text_edits import outline  # noqa: E402
from prompts.models import LLMPrompt, LLMPromptLabel  # noqa: E402
from review.models import ReviewQueue, ReviewQueueItem  # noqa: E402
from scores import services as score_services  # noqa: E402
from scores.config import validate_config  # noqa: E402
from skills.models import LLMSkill, LLMSkillFile  # noqa: E402

POSTGRES = connection.vendor == "postgresql"


def scale() -> float:
    return float(os.environ.get("BENCH_SCALE") or (1.0 if POSTGRES else 0.1))


def volumes() -> dict[str, int]:
    """Row counts at BENCH_SCALE (at least one of each, and the fixed shape numbers unscaled)."""
    s = scale()

    def n(full: int) -> int:
        return max(int(full * s), 1)

    return {
        "prompts": n(10_000),
        "prompt_versions": 5,
        "skills": n(2_000),
        "skill_versions": 3,
        "skill_files": 10,  # on every version: each version owns its copies
        "dataset_items": n(100_000),
        "small_datasets": 200,  # so a list of 100 datasets is full
        "small_dataset_items": n(10_000),
        "events": n(1_000_000),
        "persons": max(n(1_000), 10),
        "user_events": n(100_000),  # the key's user: a heavy spender
        "review_queues": 300,
        "review_items": 3_000,
        "score_definitions": 300,
    }


# ---- dialect -------------------------------------------------------------------------------------


def lit(text: str) -> str:
    return "'" + text.replace("'", "''") + "'"


def series(name: str, count: int) -> str:
    """A CTE `name(n)` of 0 .. count - 1 (under WITH RECURSIVE)."""
    if POSTGRES:
        return f"{name}(n) AS (SELECT generate_series(0::bigint, {count - 1}))"
    return f"{name}(n) AS (SELECT 0 UNION ALL SELECT n + 1 FROM {name} WHERE n < {count - 1})"


def uuid() -> str:
    return "gen_random_uuid()" if POSTGRES else "lower(hex(randomblob(16)))"


def ago(seconds: str) -> str:
    """A timestamp `seconds` (an SQL expression) before now."""
    if POSTGRES:
        return f"(now() - ({seconds}) * interval '1 second')"
    return f"strftime('%Y-%m-%d %H:%M:%f', 'now', '-' || ({seconds}) || ' seconds')"


def repeat(text: str, times: int) -> str:
    if POSTGRES:
        return f"repeat({lit(text)}, {times})"
    return f"replace(hex(zeroblob({times})), '00', {lit(text)})"


def obj(*pairs: str) -> str:
    return ("jsonb_build_object(" if POSTGRES else "json_object(") + ", ".join(pairs) + ")"


def arr(*items: str) -> str:
    return ("jsonb_build_array(" if POSTGRES else "json_array(") + ", ".join(items) + ")"


def json_text(expr: str) -> str:
    """A JSON string value holding the text `expr`."""
    return f"to_jsonb(({expr})::text)" if POSTGRES else f"json_quote({expr})"


def json_literal(value) -> str:
    return f"{lit(json.dumps(value))}" + ("::jsonb" if POSTGRES else "")


def pick(values: list[str]) -> str:
    """The (n % len)-th of `values`."""
    if POSTGRES:
        return "(ARRAY[" + ", ".join(lit(v) for v in values) + f"])[1 + n % {len(values)}]"
    return (
        f"(CASE n % {len(values)} "
        + " ".join(f"WHEN {i} THEN {lit(v)}" for i, v in enumerate(values))
        + " END)"
    )


def run(sql: str) -> None:
    with connection.cursor() as cursor:
        cursor.execute(sql)


@contextmanager
def bulk_load(table: str) -> Iterator[None]:
    """On PostgreSQL, drops the table's secondary indexes, unique and foreign-key constraints for a
    bulk insert and rebuilds them after (one sort per index and one join per foreign key instead of
    a million index insertions and deferred trigger checks). A no-op on SQLite."""
    if not POSTGRES:
        yield
        return
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT conname, pg_get_constraintdef(oid) FROM pg_constraint "
            "WHERE conrelid = %s::regclass AND contype IN ('u', 'f')",
            [table],
        )
        constraints = cursor.fetchall()
        cursor.execute(
            "SELECT c.relname, pg_get_indexdef(c.oid) FROM pg_index i JOIN pg_class c ON c.oid = i.indexrelid "
            "WHERE i.indrelid = %s::regclass AND NOT EXISTS (SELECT 1 FROM pg_constraint k WHERE k.conindid = c.oid)",
            [table],
        )
        indexes = cursor.fetchall()
        for name, _ in constraints:
            cursor.execute(f'ALTER TABLE {table} DROP CONSTRAINT "{name}"')
        for name, _ in indexes:
            cursor.execute(f'DROP INDEX "{name}"')
    yield
    with connection.cursor() as cursor:
        cursor.execute("SET maintenance_work_mem = '256MB'")
        for _, definition in indexes:
            cursor.execute(definition)
        for name, definition in constraints:
            cursor.execute(f'ALTER TABLE {table} ADD CONSTRAINT "{name}" {definition}')


# ---- the seeds -----------------------------------------------------------------------------------


def seed_prompts(team: int, user: int, v: dict) -> None:
    versions = v["prompt_versions"]
    count = v["prompts"] * versions
    text = (
        f"'You are assistant ' || (n / {versions}) || ', version ' || (1 + n % {versions}) || '. ' || "
        + repeat("Answer briefly and cite the sources you used. ", 12)
    )
    run(
        f"WITH RECURSIVE {series('s', count)} "
        f"INSERT INTO {LLMPrompt._meta.db_table} (id, team_id, name, version, is_latest, deleted, created_by_id, "
        "created_at, updated_at, prompt, prompt_size_bytes, outline) "
        f"SELECT {uuid()}, {team}, 'prompt-' || (n / {versions}), 1 + n % {versions}, "
        f"n % {versions} = {versions - 1}, FALSE, {user}, {ago(f'{count} - n')}, {ago(f'{count} - n')}, "
        # ASCII text without escapes: its compact JSON is the text and two quotes; no headings.
        f"{json_text(text)}, length({text}) + 2, {json_literal([])} FROM s"
    )
    # Every prompt is released: `production` on the version before its latest.
    label_table = LLMPromptLabel._meta.db_table
    run(
        f"INSERT INTO {label_table} (id, team_id, prompt_name, name, prompt_id, created_by_id, created_at, "
        f"updated_at) SELECT {uuid()}, team_id, name, 'production', id, created_by_id, created_at, created_at "
        f"FROM {LLMPrompt._meta.db_table} WHERE team_id = {team} AND version = {max(versions - 1, 1)}"
    )


SKILL_BODY = "# Skill\n\n" + "".join(
    f"## Step {step}\n" + "Do this thing carefully and check it.\n" * 25 for step in range(20)
)


def seed_skills(team: int, user: int, v: dict) -> None:
    versions = v["skill_versions"]
    count = v["skills"] * versions
    body = f"{lit(SKILL_BODY)} || 'marker-' || n"
    run(
        f"WITH RECURSIVE {series('s', count)} "
        f"INSERT INTO {LLMSkill._meta.db_table} (id, team_id, name, version, is_latest, deleted, created_by_id, "
        "created_at, updated_at, description, body, outline, license, compatibility, allowed_tools, metadata) "
        f"SELECT {uuid()}, {team}, 'skill-' || (n / {versions}), 1 + n % {versions}, "
        f"n % {versions} = {versions - 1}, FALSE, {user}, {ago(f'{count} - n')}, {ago(f'{count} - n')}, "
        f"'Skill number ' || (n / {versions}), {body}, {json_literal(outline(SKILL_BODY))}, '', '', "
        f"{json_literal(['Bash', 'Read'])}, {json_literal({'owner': 'bench'})} FROM s"
    )
    run(
        f"WITH RECURSIVE {series('f', v['skill_files'])} "
        f"INSERT INTO {LLMSkillFile._meta.db_table} (skill_version_id, path, content, content_type) "
        f"SELECT k.id, 'references/doc-' || f.n || '.md', {repeat('Reference text line. ', 100)}, 'text/markdown' "
        f"FROM {LLMSkill._meta.db_table} k CROSS JOIN f WHERE k.team_id = {team} ORDER BY k.created_at, f.n"
    )


def seed_datasets(team: int, user: int, v: dict) -> str:
    datasets, items = Dataset._meta.db_table, DatasetItem._meta.db_table
    small = v["small_datasets"]
    run(
        f"WITH RECURSIVE {series('s', small + 1)} "
        f"INSERT INTO {datasets} (id, team_id, name, description, metadata, deleted, created_by_id, created_at, "
        "updated_at) "
        f"SELECT {uuid()}, {team}, 'dataset-' || n, 'Evaluation set ' || n, {obj(repr('owner'), repr('bench'))}, "
        f"FALSE, {user}, {ago(f'{small + 1} - n')}, {ago(f'{small + 1} - n')} FROM s"
    )
    big = str(Dataset.objects.get(team_id=team, name="dataset-0").pk)
    split = "CASE WHEN n % 5 = 0 THEN 'train' ELSE 'test' END"
    question = f"'Question number ' || n || ': ' || {repeat('lorem ipsum ', 10)}"
    row = (
        f"{obj(repr('messages'), arr(obj(repr('role'), repr('user'), repr('content'), question)))}, "
        f"{obj(repr('content'), repr('Answer ') + ' || n')}, "
        f"{obj(repr('split'), split)}, "
        "'trace-' || n"
    )
    columns = (
        f"INSERT INTO {items} (id, team_id, dataset_id, input, output, metadata, ref_trace_id, deleted, "
        "created_by_id, created_at, updated_at) "
    )
    count = v["dataset_items"]
    big_id = lit(big.replace("-", "") if not POSTGRES else big)
    run(
        f"WITH RECURSIVE {series('s', count)} {columns}"
        f"SELECT {uuid()}, {team}, {big_id}, {row}, FALSE, {user}, {ago(f'{count} - n')}, {ago(f'{count} - n')} "
        "FROM s"
    )
    count = v["small_dataset_items"]
    run(
        f"WITH RECURSIVE {series('s', count)} {columns}"
        f"SELECT {uuid()}, {team}, d.id, {row}, FALSE, {user}, {ago(f'{count} - n')}, {ago(f'{count} - n')} "
        f"FROM s JOIN {datasets} d ON d.team_id = {team} AND d.name = 'dataset-' || (1 + n % {small})"
    )
    return big


def seed_events(team: int, email: str, v: dict) -> None:
    """Persons (person 0 has the key user's email) and AI events shaped as capture stores them."""
    persons, events, distinct_ids = (
        Person._meta.db_table,
        Event._meta.db_table,
        PersonDistinctId._meta.db_table,
    )
    count_p = v["persons"]
    mail = f"CASE WHEN n = 0 THEN {lit(email)} ELSE 'user' || n || '@example.com' END"
    run(
        f"WITH RECURSIVE {series('s', count_p)} "
        f"INSERT INTO {persons} (team_id, uuid, properties, email, is_identified, created_at) "
        f"SELECT {team}, {uuid()}, {obj(repr('email'), mail)}, {mail}, TRUE, {ago(f'{count_p} - n')} FROM s ORDER BY n"
    )
    first = Person.objects.filter(team_id=team).order_by("id").values_list("id", flat=True).first()
    run(
        f"WITH RECURSIVE {series('s', count_p)} "
        f"INSERT INTO {distinct_ids} (team_id, distinct_id, person_id) SELECT {team}, 'device-' || n, {first} + n FROM s"
    )
    count, user_events = v["events"], v["user_events"]
    owner = f"(CASE WHEN n < {user_events} THEN 0 ELSE 1 + n % {count_p - 1} END)"
    model = pick(["gpt-4o", "gpt-4o-mini", "claude-sonnet-4-5", "o3", "text-embedding-3-small"])
    provider = pick(["openai", "openai", "anthropic", "openai", "openai"])
    props = obj(
        "'$lib'",
        "'posthog-python'",
        "'ai_product'",
        pick(["posthog_code", "background_agents", "wizard"]),
        "'$ai_model'",
        model,
        "'$ai_provider'",
        provider,
        "'$ai_input_tokens'",
        "100 + n % 5000",
        "'$ai_output_tokens'",
        "10 + n % 700",
        "'$ai_input_cost_usd'",
        "(n % 997) / 20000.0",
        "'$ai_output_cost_usd'",
        "(n % 997) / 20000.0",
        "'$ai_total_cost_usd'",
        "(n % 997) / 10000.0",
        "'$ai_cost_model_source'",
        "'genai-prices'",
        "'$ai_tools_called'",
        pick(["Bash", "Bash,Read", "Read,Edit,Bash", "Grep"]),
        "'$ai_tool_call_count'",
        "1 + n % 3",
        "'$ai_latency'",
        "(n % 5000) / 1000.0",
        "'$ai_http_status'",
        "200",
        "'$ai_trace_id'",
        "'trace-' || (n / 7)",
        "'$ai_input'",
        arr(
            obj(
                "'role'",
                "'user'",
                "'content'",
                f"'Question ' || n || ': ' || {repeat('Explain the code. ', 20)}",
            )
        ),
        "'$ai_output_choices'",
        arr(obj("'role'", "'assistant'", "'content'", repeat("Here is the answer, step by step. ", 20))),
    )
    kinds = ["$ai_generation"] * 7 + ["$ai_embedding", "$ai_span", "$ai_trace"]
    seconds = f"(n * 7919 % {80 * 86400})"  # spread over the last 80 days

    def spend_column(expression: str) -> str:
        """Capture fills the typed spend columns of generations and embeddings only."""
        return f"CASE WHEN {pick(kinds)} IN ('$ai_generation', '$ai_embedding') THEN {expression} END"

    spend_columns = ", ".join(
        spend_column(expression)
        for expression in (
            pick(["posthog_code", "background_agents", "wizard"]),
            model,
            pick(["Bash", "Bash,Read", "Read,Edit,Bash", "Grep"]),
            "(n % 997) / 10000.0",
            "100 + n % 5000",
            "10 + n % 700",
        )
    )
    with bulk_load(events):
        run(
            f"WITH RECURSIVE {series('s', count)} "
            f"INSERT INTO {events} (team_id, uuid, event, distinct_id, person_id, timestamp, created_at, properties, "
            "ai_trace_id, ai_product, ai_model, ai_tools_called, ai_cost_usd, ai_input_tokens, ai_output_tokens) "
            f"SELECT {team}, {uuid()}, {pick(kinds)}, 'device-' || {owner}, {first} + {owner}, {ago(seconds)}, "
            f"{ago(seconds)}, {props}, 'trace-' || (n / 7), {spend_columns} FROM s"
        )


def seed_review_and_scores(team_id: int, user_id: int, v: dict) -> None:
    team, user = Team.objects.get(pk=team_id), User.objects.get(pk=user_id)
    queues = ReviewQueue.objects.bulk_create(
        ReviewQueue(team=team, created_by=user, name=f"queue-{i:04d}") for i in range(v["review_queues"])
    )
    ReviewQueueItem.objects.bulk_create(
        (
            ReviewQueueItem(
                team=team, created_by=user, queue=queues[i % len(queues)], trace_id=f"review-trace-{i}"
            )
            for i in range(v["review_items"])
        ),
        batch_size=1000,
    )
    configs = {
        "categorical": {"options": [{"key": k, "label": k.title()} for k in ("good", "bad", "unsure")]},
        "numeric": {"min": 0, "max": 10, "step": 1},
        "boolean": {},
    }
    kinds = list(configs)
    for i in range(v["score_definitions"]):
        kind = kinds[i % 3]
        score_services.create_definition(
            team=team,
            created_by=user,
            name=f"scorer-{i:04d}",
            kind=kind,
            config=validate_config(kind, configs[kind]),
            description=f"Scorer number {i}",
        )


def main() -> None:
    key = json.loads(sys.argv[1])
    team, user = int(key["project_id"]), int(key["user_id"])
    v = volumes()
    timings: dict[str, float] = {}
    started = time.perf_counter()

    def timed(label: str, step, *args):
        at = time.perf_counter()
        result = step(*args)
        timings[label] = round(time.perf_counter() - at, 2)
        return result

    timed("prompts", seed_prompts, team, user, v)
    timed("skills", seed_skills, team, user, v)
    big = timed("datasets", seed_datasets, team, user, v)
    timed("events", seed_events, team, key["email"], v)
    timed("review_and_scores", seed_review_and_scores, team, user, v)
    # VACUUM sets PostgreSQL's visibility map, so spend's covering index is read index-only, as on
    # a table autovacuum has seen.
    timed("analyze", run, "VACUUM ANALYZE" if POSTGRES else "ANALYZE")
    with connection.cursor() as cursor:
        cursor.execute("SELECT version()" if POSTGRES else "SELECT sqlite_version()")
        version = cursor.fetchone()[0]
    engine = version.split(" on ")[0] if POSTGRES else f"SQLite {version}"
    print(
        json.dumps(
            {
                "dataset_id": big,
                "volumes": v,
                "scale": scale(),
                "seconds": timings,
                "total_seconds": round(time.perf_counter() - started, 2),
                "database": engine,
            }
        )
    )


if __name__ == "__main__":
    main()
