"""Latency of listing a 100,000-item dataset against a live gunicorn server.

Seeds one project with a dataset of BENCH_ITEMS items (bulk_create), plus a second, smaller
dataset so the per-dataset index has something to tell apart; starts gunicorn on a free local
port and times sequential requests for the first page and a deep page (offset 90,000), with and
without `?dataset=`. Uses DATABASE_URL when set (a database named llm_datasets_bench is created
and dropped), else a temporary SQLite file.

    .venv/bin/python bench/datasets.py
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/postgres .venv/bin/python bench/datasets.py
"""

import os
import time

from harness import created_key, engine, live_server, manage, scratch_database, signed_session, summary, timed

ITEMS = int(os.environ.get("BENCH_ITEMS", "100000"))
OTHER_ITEMS = int(os.environ.get("BENCH_OTHER_ITEMS", "10000"))
DEEP_OFFSET = int(os.environ.get("BENCH_DEEP_OFFSET", "90000"))
REQUESTS = int(os.environ.get("BENCH_REQUESTS", "100"))


def seed(env: dict) -> dict:
    created = created_key(env)
    script = f"""
from datetime import timedelta
from django.db import connection
from django.utils import timezone
from datasets.models import Dataset, DatasetItem
from llm_server.accounts.models import Team, User

team = Team.objects.get(pk={created["project_id"]})
user = User.objects.get(pk={created["user_id"]})
big = Dataset.objects.create(team=team, name="big", created_by=user)
other = Dataset.objects.create(team=team, name="other", created_by=user)
start = timezone.now() - timedelta(days=1)

def rows(dataset, count, offset):
    for i in range(count):
        yield DatasetItem(
            team=team, dataset=dataset, created_by=user, created_at=start + timedelta(milliseconds=offset + i),
            input={{"messages": [{{"role": "user", "content": f"Question number {{i}}: " + "lorem ipsum " * 10}}]}},
            output={{"content": f"Answer {{i}}"}}, metadata={{"split": "test" if i % 5 else "train"}},
            ref_trace_id=f"trace-{{i}}",
        )

batch = []
for source in (rows(big, {ITEMS}, 0), rows(other, {OTHER_ITEMS}, {ITEMS})):
    for row in source:
        batch.append(row)
        if len(batch) == 5000:
            DatasetItem.objects.bulk_create(batch)
            batch = []
DatasetItem.objects.bulk_create(batch)
if connection.vendor == "postgresql":
    with connection.cursor() as cursor:
        cursor.execute("VACUUM ANALYZE datasets_datasetitem")
else:
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")
print(big.pk)
"""
    created["dataset_id"] = manage(env, "shell", "-c", script).strip().splitlines()[-1]
    return created


def page_check(expected_count: int, expected_rows: int):
    def check(body: dict) -> None:
        assert body["count"] == expected_count, body["count"]
        assert len(body["results"]) == expected_rows, len(body["results"])

    return check


def main() -> None:
    with scratch_database("llm_datasets_bench") as env:
        started = time.perf_counter()
        created = seed(env)
        seeded_in = time.perf_counter() - started
        with live_server(env) as server:
            base = f"{server}/api/projects/{created['project_id']}/dataset_items/"
            dataset = created["dataset_id"]
            total = ITEMS + OTHER_ITEMS
            session = signed_session(env)
            print(
                f"{engine()}: dataset of {ITEMS} items (+{OTHER_ITEMS} in another dataset), seeded in "
                f"{seeded_in:.0f} s; gunicorn 2 workers x 2 threads; limit 100"
            )
            timed(session, "GET", f"{base}?dataset={dataset}", 10, check=page_check(ITEMS, 100))  # warm-up
            cases = [
                ("?dataset= first page       ", f"{base}?dataset={dataset}", ITEMS),
                (
                    f"?dataset= offset {DEEP_OFFSET}   ",
                    f"{base}?dataset={dataset}&offset={DEEP_OFFSET}",
                    ITEMS,
                ),
                ("all items first page       ", base, total),
                (f"all items offset {DEEP_OFFSET}   ", f"{base}?offset={DEEP_OFFSET}", total),
            ]
            for label, case_url, count in cases:
                print(label, summary(timed(session, "GET", case_url, REQUESTS, check=page_check(count, 100))))


if __name__ == "__main__":
    main()
