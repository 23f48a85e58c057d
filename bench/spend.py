"""Latency of `@me/spend` over 1,000,000 AI events in the internal project, uncached and cached.

Seeds the internal project (the lowest project id: the one the demo key's command creates) at the
database level: BENCH_PERSONS persons and BENCH_EVENTS AI events spread over the last 80 days
(generations mostly, some embeddings, spans and traces; three products, five models, tool lists of
one to three names; a BENCH_OUTPUT_CHARS-character output each, as real generations carry
kilobytes of input and output). The demo key's user owns BENCH_USER_EVENTS of them, a second user
(heavy@example.com) BENCH_HEAVY_EVENTS, the other persons the rest. PostgreSQL seeds with
generate_series, SQLite with a recursive CTE. Then gunicorn serves and sequential requests are
timed for both users: uncached (`refresh=true` recomputes every time) and cached.

    .venv/bin/python bench/spend.py
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/postgres .venv/bin/python bench/spend.py
"""

import json
import os
import time

import requests
from harness import created_key, engine, live_server, manage, scratch_database, summary, timed

EVENTS = int(os.environ.get("BENCH_EVENTS", "1000000"))
PERSONS = int(os.environ.get("BENCH_PERSONS", "1000"))
USER_EVENTS = int(os.environ.get("BENCH_USER_EVENTS", "2000"))
HEAVY_EVENTS = int(os.environ.get("BENCH_HEAVY_EVENTS", "100000"))
# Characters of `$ai_output` per event: real generations carry kilobytes of input and output.
OUTPUT_CHARS = int(os.environ.get("BENCH_OUTPUT_CHARS", "3000"))
REQUESTS = int(os.environ.get("BENCH_REQUESTS", "50"))

# Run by `manage.py shell` in the server's environment; prints the heavy user's key.
SEED = r"""
import json, os
from django.db import connection
from events.models import Event, Person
from llm_server.accounts import services
from llm_server.accounts.models import Team, User

N, P = int(os.environ["SEED_EVENTS"]), int(os.environ["SEED_PERSONS"])
USER, HEAVY = int(os.environ["SEED_USER_EVENTS"]), int(os.environ["SEED_HEAVY_EVENTS"])
OUT = int(os.environ["SEED_OUTPUT_CHARS"])
team = Team.objects.order_by("id").first()
heavy = User.objects.create(email="heavy@example.com")
services.add_member(user=heavy, organization=team.organization)
heavy_key = services.create_personal_api_key(user=heavy, label="bench", scopes=["*"]).raw_value
events, persons = Event._meta.db_table, Person._meta.db_table
postgres = connection.vendor == "postgresql"

def pick(values):
    # The (n % len)-th value, in either dialect.
    if postgres:
        return "(ARRAY[" + ", ".join(f"'{v}'" for v in values) + f"])[1 + n % {len(values)}]"
    return f"CASE n % {len(values)} " + " ".join(f"WHEN {i} THEN '{v}'" for i, v in enumerate(values)) + " END"

# Each event's output is a slice of one 100 kB block of hex text.
if postgres:
    series, obj, now = "generate_series(0::bigint, {count} - 1) AS s(n)", "jsonb_build_object", "now()"
    pool = "(SELECT string_agg(md5(g::text), '') FROM generate_series(1, 3200) g)"
    uuid = "md5(n::text || '{salt}')::uuid"
    ago = "now() - (n * 7919 % 6912000) * interval '1 second'"
else:
    series, obj, now = "seq", "json_object", "datetime('now')"
    pool = "(SELECT hex(randomblob(51200)))"
    uuid = "printf('%016x%016x', {salt}, n)"
    ago = "strftime('%Y-%m-%d %H:%M:%f', 'now', '-' || (n * 7919 % 6912000) || ' seconds')"

def run(sql, count):
    sql = sql.replace("SERIES", series.format(count=count))
    seq = "" if postgres else f"seq(n) AS (SELECT 0 UNION ALL SELECT n + 1 FROM seq WHERE n < {count} - 1), "
    sql = f"WITH RECURSIVE {seq}pool AS MATERIALIZED (SELECT {pool} AS output_pool) {sql}"
    with connection.cursor() as cursor:
        cursor.execute(sql)

# Person 0 is the demo user, person 1 the heavy one; ids follow n (one ordered insert).
email = "CASE n WHEN 0 THEN 'bench@example.com' WHEN 1 THEN 'heavy@example.com' ELSE 'user' || n || '@example.com' END"
run(f"INSERT INTO {persons} (team_id, uuid, properties, email, is_identified, created_at) "
    f"SELECT {team.id}, {uuid.format(salt=1)}, {obj}('email', {email}), {email}, true, {now} FROM SERIES ORDER BY n", P)
first = Person.objects.filter(team=team).order_by("id").values_list("id", flat=True).first()
assert Person.objects.get(pk=first + 1).email == "heavy@example.com"
assert Person.objects.get(pk=first + P - 1).email == f"user{P - 1}@example.com"

owner = f"(CASE WHEN n < {USER} THEN 0 WHEN n < {USER + HEAVY} THEN 1 ELSE 2 + n % ({P} - 2) END)"
props = (
    f"{obj}('ai_product', {pick(['posthog_code', 'background_agents', 'wizard'])}, "
    f"'$ai_model', {pick(['gpt-4o', 'gpt-4o-mini', 'claude-sonnet-4-5', 'o3', 'text-embedding-3-small'])}, "
    "'$ai_total_cost_usd', (n % 997) / 10000.0, '$ai_input_tokens', 100 + n % 5000, "
    f"'$ai_output_tokens', 10 + n % 700, '$ai_tools_called', {pick(['Bash', 'Bash,Read', 'Read,Edit,Bash', 'Grep'])}, "
    "'$ai_trace_id', 'trace-' || (n / 7), '$ai_input', 'Question ' || n, "
    f"'$ai_output', substr(output_pool, CAST(1 + (n * 131) % 90000 AS INTEGER), {OUT}))"
)
kinds = ["$ai_generation"] * 6 + ["$ai_embedding", "$ai_span", "$ai_trace", "$ai_generation"]
run(f"INSERT INTO {events} (team_id, uuid, event, distinct_id, person_id, timestamp, created_at, properties, ai_trace_id) "
    f"SELECT {team.id}, {uuid.format(salt=2)}, {pick(kinds)}, 'device-' || {owner}, {first} + {owner}, {ago}, {ago}, "
    f"{props}, 'trace-' || (n / 7) FROM pool, SERIES", N)
with connection.cursor() as cursor:
    cursor.execute("ANALYZE")
print(json.dumps({"heavy_key": heavy_key}))
"""


def seed(env: dict) -> str:
    counts = {
        "SEED_EVENTS": EVENTS,
        "SEED_PERSONS": PERSONS,
        "SEED_USER_EVENTS": USER_EVENTS,
        "SEED_HEAVY_EVENTS": HEAVY_EVENTS,
        "SEED_OUTPUT_CHARS": OUTPUT_CHARS,
    }
    seed_env = {**env, **{name: str(value) for name, value in counts.items()}}
    return json.loads(manage(seed_env, "shell", "-c", SEED).strip().splitlines()[-1])["heavy_key"]


def main() -> None:
    with scratch_database("llm_spend_bench") as env:
        started = time.perf_counter()
        heavy_key = seed(env)
        seeded_in = time.perf_counter() - started
        with live_server(env) as server:
            url = f"{server}/api/llm_analytics/@me/spend/?product=posthog_code"
            print(
                f"{engine()}: {EVENTS:,} AI events of {PERSONS:,} persons in the internal project, seeded in "
                f"{seeded_in:.0f} s; gunicorn 2 workers x 2 threads"
            )
            users = (
                ("demo user", created_key(env)["key"], USER_EVENTS),
                ("heavy user", heavy_key, HEAVY_EVENTS),
            )
            for label, key, owned in users:
                session = requests.Session()
                session.headers["Authorization"] = f"Bearer {key}"
                timed(session, "GET", url + "&refresh=true", 5)  # warm-up
                print(f"{label}: {owned:,} events over 80 days (about {owned * 3 // 8:,} in the last 30)")
                print(
                    "  uncached, -30d (refresh=true)",
                    summary(timed(session, "GET", url + "&refresh=true", REQUESTS)),
                )
                print(
                    "  uncached, -90d               ",
                    summary(timed(session, "GET", url + "&date_from=-90d&refresh=true", REQUESTS)),
                )
                print("  cached, -30d                 ", summary(timed(session, "GET", url, REQUESTS * 4)))


if __name__ == "__main__":
    main()
