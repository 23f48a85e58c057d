"""`make bench`: the server under concurrent load, the way production sees it.

Creates a scratch database (PostgreSQL on DATABASE_URL's server, else a temporary SQLite file),
seeds production-sized volumes in SQL (bench/seed.py), starts gunicorn exactly as production does
(`gunicorn -c gunicorn.conf.py`, DEBUG off, access log off, REDIS_URL passed through when set) and
loads each endpoint with `wrk -t2 -c16 -d<BENCH_SECONDS>s` (bench/lua scripts vary the URL per
request). Every URL must answer 2xx (or the expected 304) once before it is loaded. Queries per
request are counted in-process (bench/queries.py); every gunicorn worker's RSS is sampled each
second. Prints one table with the targets (pass/miss) and writes bench/results/latest.json.

Environment: DATABASE_URL (PostgreSQL server to use), BENCH_SECONDS (default 8), BENCH_ONLY (comma-
separated row keys, e.g. `prompt_sdk,skill_get`: only those rows and the /_health baseline, and
no results file; for comparing worker models), BENCH_SCALE
(volume multiplier; default 1 on PostgreSQL, 0.1 on SQLite), REDIS_URL, WEB_CONCURRENCY,
GUNICORN_THREADS.
"""

import json
import os
import platform
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request
import uuid
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path

import wrk
from server import ROOT, gunicorn, log_summary, scratch_database, worker_model

BENCH = Path(__file__).resolve().parent
RESULTS = BENCH / "results" / "latest.json"
SECONDS = int(os.environ.get("BENCH_SECONDS", "8"))
ONLY = {name.strip() for name in os.environ.get("BENCH_ONLY", "").split(",") if name.strip()}
BATCH = 100  # capture events per request
USERS = 50  # distinct ids capture cycles through (persons are created once)
RSS_LIMIT_MB = 150
ETAG_NAMES = 200  # prompts whose ETag the revalidation row cycles through
# An application fetches its own few prompts and skills over and over: the by-name rows cycle through
# this many names of the seeded thousands. The "every name" row shows payloads built on each request.
HOT_NAMES = 200


@dataclass
class Row:
    """One line of the table: how to load it, and its target."""

    key: str
    label: str
    paths: list[str]
    script: str = "paths.lua"
    auth: bool = True
    connections: int = wrk.CONNECTIONS
    expect: int = 200  # 304 for the revalidation row
    min_ratio: float | None = None  # req/s over the /_health baseline
    note: str = ""
    etags: list[str] = field(default_factory=list)
    result: dict | None = None


# ---- set-up --------------------------------------------------------------------------------------


def machine(env: dict, database: str) -> dict:
    cpu = next(
        (
            line.split(":", 1)[1].strip()
            for line in Path("/proc/cpuinfo").read_text().splitlines()
            if "model name" in line
        ),
        platform.processor(),
    )
    return {
        "nproc": os.cpu_count(),
        "cpu": cpu,
        "database": database,
        "cache": "redis" if env.get("REDIS_URL") else "file (CACHE_DIR)",
        "gunicorn": worker_model(env),
        "python": platform.python_version(),
    }


def seed(env: dict, key: dict) -> dict:
    started = time.perf_counter()
    completed = subprocess.run(
        [sys.executable, str(BENCH / "seed.py"), json.dumps(key)],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
    )
    if completed.returncode != 0:
        raise SystemExit(f"seeding failed:\n{completed.stderr[-3000:]}")
    seeded = json.loads(completed.stdout.strip().splitlines()[-1])
    seeded["wall_seconds"] = round(time.perf_counter() - started, 1)
    return seeded


def capture_template(token: str) -> tuple[str, str]:
    """(head with __BATCH__, one event with __UUID__ / __N__ / __U__): the body capture.lua and
    queries.py send, shaped like the posthog SDK's $ai_generation (server-derived costs and tools)."""
    head = json.dumps({"api_key": token, "historical_migration": False, "batch": "__BATCH__"})
    head = head.replace('"__BATCH__"', "[__BATCH__]")
    event = {
        "event": "$ai_generation",
        "uuid": "__UUID__",
        "distinct_id": "bench-user-__U__",
        "timestamp": datetime.now(tz=UTC).isoformat(),
        "properties": {
            "$lib": "posthog-python",
            "$lib_version": "7.0.0",
            "ai_product": "posthog_code",
            "$ai_provider": "openai",
            "$ai_model": "gpt-4o-mini",
            "$ai_input": [
                {"role": "system", "content": "You are helpful. " * 10},
                {"role": "user", "content": "Question __N__? " * 20},
            ],
            "$ai_output_choices": [
                {
                    "role": "assistant",
                    "content": [
                        {"type": "text", "text": "Let me check. " * 10},
                        {
                            "type": "function",
                            "id": "call-__N__",
                            "function": {"name": "Bash", "arguments": "{}"},
                        },
                    ],
                }
            ],
            "$ai_input_tokens": 1200,
            "$ai_output_tokens": 250,
            "$ai_latency": 0.8,
            "$ai_http_status": 200,
            "$ai_trace_id": "trace-__N__",
        },
    }
    return head, json.dumps(event)


def capture_body(token: str, start: int) -> str:
    head, event = capture_template(token)
    events = [
        event.replace("__UUID__", str(uuid.uuid4()))
        .replace("__N__", str(start + i))
        .replace("__U__", str(i % USERS))
        for i in range(BATCH)
    ]
    return head.replace("__BATCH__", ",".join(events))


def rows_for(key: dict, seeded: dict) -> list[Row]:
    v = seeded["volumes"]
    project, token = key["project_id"], key["project_api_token"]
    p, sdk = f"/api/projects/{project}", "/api/environments/@current"
    prompts, skills = range(min(HOT_NAMES, v["prompts"])), range(min(HOT_NAMES, v["skills"]))
    dataset, deep = seeded["dataset_id"], int(v["dataset_items"] * 0.9)
    spend = "/api/llm_analytics/@me/spend/?product=posthog_code"
    return [
        Row("health_start", "/_health (start)", ["/_health"], auth=False),
        Row(
            "prompt_sdk",
            "prompt by name, SDK path",
            [f"{sdk}/llm_prompts/name/prompt-{i}/?token={token}" for i in prompts],
            min_ratio=0.5,
        ),
        Row(
            "prompt_sdk_every",
            "prompt by name, SDK path, every name",
            [f"{sdk}/llm_prompts/name/prompt-{i}/?token={token}" for i in range(v["prompts"])],
        ),
        Row(
            "prompt_label",
            "prompt by label, SDK path",
            [f"{sdk}/llm_prompts/name/prompt-{i}/?token={token}&label=production" for i in prompts],
            min_ratio=0.5,
        ),
        Row("prompt_get", "prompt by name", [f"{p}/llm_prompts/name/prompt-{i}/" for i in prompts]),
        Row(
            "prompt_version",
            "prompt by name ?version=1",
            [f"{p}/llm_prompts/name/prompt-{i}/?version=1" for i in prompts],
        ),
        Row(
            "prompt_304",
            "prompt 304 revalidation (SDK path)",
            [
                f"{sdk}/llm_prompts/name/prompt-{i}/?token={token}"
                for i in range(min(ETAG_NAMES, v["prompts"]))
            ],
            expect=304,
            min_ratio=0.7,
        ),
        Row(
            "prompt_resolve",
            "prompt resolve",
            [f"{p}/llm_prompts/resolve/name/prompt-{i}/" for i in prompts],
            min_ratio=0.3,
        ),
        Row("prompt_list", "prompt list limit=100", [f"{p}/llm_prompts/?limit=100"], min_ratio=0.2),
        Row(
            "prompt_list_label",
            "prompt list ?label=production&content=preview limit=100",
            [f"{p}/llm_prompts/?label=production&content=preview&limit=100"],
            min_ratio=0.2,
        ),
        Row("skill_get", "skill by name", [f"{p}/llm_skills/name/skill-{i}/" for i in skills], min_ratio=0.4),
        Row(
            "skill_file",
            "skill file",
            [f"{p}/llm_skills/name/skill-{i}/files/references/doc-{i % 10}.md" for i in skills],
            min_ratio=0.5,
        ),
        Row("skill_list", "skill list limit=100", [f"{p}/llm_skills/?limit=100"], min_ratio=0.2),
        Row("dataset_list", "dataset list limit=100", [f"{p}/datasets/?limit=100"], min_ratio=0.2),
        Row(
            "items_first",
            "dataset items, first 100",
            [f"{p}/dataset_items/?dataset={dataset}&limit=100"],
            min_ratio=0.2,
        ),
        Row(
            "items_deep",
            f"dataset items, offset {deep:,}",
            [f"{p}/dataset_items/?dataset={dataset}&limit=100&offset={deep}"],
        ),
        Row(
            "review_queues",
            "review queue list limit=100",
            [f"{p}/llm_analytics/review_queues/?limit=100"],
            min_ratio=0.2,
        ),
        Row(
            "score_definitions",
            "score definition list limit=100",
            [f"{p}/llm_analytics/score_definitions/?limit=100"],
            min_ratio=0.2,
        ),
        Row("spend_uncached_1", "spend uncached (refresh), 1 conn", [f"{spend}&refresh=true"], connections=1),
        Row("spend_uncached", "spend uncached (refresh)", [f"{spend}&refresh=true"]),
        Row("spend_cached", "spend cached", [spend], min_ratio=0.5),
        Row("capture", f"capture /batch/ ({BATCH} events)", ["/batch/"], script="capture.lua", auth=False),
        Row("health_end", "/_health (end)", ["/_health"], auth=False),
    ]


# ---- one request ---------------------------------------------------------------------------------


def fetch(
    base: str, path: str, api_key: str | None, etag: str = "", body: str | None = None
) -> tuple[int, dict, str]:
    headers = {"Authorization": f"Bearer {api_key}"} if api_key else {}
    if etag:
        headers["If-None-Match"] = etag
    if body is not None:
        headers["Content-Type"] = "application/json"
    request = urllib.request.Request(base + path, data=body.encode() if body else None, headers=headers)
    try:
        with urllib.request.urlopen(request, timeout=120) as response:
            return response.status, dict(response.headers), response.read().decode(errors="replace")
    except urllib.error.HTTPError as error:
        return error.code, dict(error.headers), error.read().decode(errors="replace")


def verify(base: str, rows: list[Row], key: dict) -> None:
    """One request per row (first URL) must answer 2xx, or 304 for the revalidation row; reads the
    ETags that row sends. Fails with every bad row listed."""
    failures = []
    for row in rows:
        api_key = key["key"] if row.auth else None
        if row.expect == 304:
            for path in row.paths:
                status, headers, text = fetch(base, path, api_key)
                etag = next((v for k, v in headers.items() if k.lower() == "etag"), "")
                if status != 200 or not etag:
                    break
                row.etags.append(etag)
            if not row.etags:
                row.note = "n/a (no ETag)"
                continue
            status, _, text = fetch(base, row.paths[0], api_key, row.etags[0])
        elif row.script == "capture.lua":
            status, _, text = fetch(base, row.paths[0], None, body=capture_body(key["project_api_token"], 0))
        else:
            status, _, text = fetch(base, row.paths[0], api_key)
        ok = status == 304 if row.expect == 304 else 200 <= status < 300
        if not ok:
            failures.append(f"  {row.label}: GET {row.paths[0]} -> {status} {text[:300]}")
    if failures:
        raise SystemExit("endpoints did not answer as expected before load:\n" + "\n".join(failures))


def count_queries(env: dict, rows: list[Row], key: dict) -> dict:
    requests = []
    for row in rows:
        if row.note:
            continue
        headers = {"Authorization": f"Bearer {key['key']}"} if row.auth else {}
        if row.etags:
            headers["If-None-Match"] = row.etags[0]
        body = capture_body(key["project_api_token"], 10**9) if row.script == "capture.lua" else None
        method = "POST" if body else "GET"
        requests.append(
            {"key": row.key, "method": method, "path": row.paths[0], "headers": headers, "body": body}
        )
    with tempfile.NamedTemporaryFile("w", suffix=".json") as file:
        json.dump(requests, file)
        file.flush()
        completed = subprocess.run(
            [sys.executable, str(BENCH / "queries.py"), file.name],
            cwd=ROOT,
            env=env,
            capture_output=True,
            text=True,
        )
    if completed.returncode != 0:
        raise SystemExit(f"counting queries failed:\n{completed.stderr[-3000:]}")
    return json.loads(completed.stdout.strip().splitlines()[-1])


# ---- load ----------------------------------------------------------------------------------------


def load(base: str, row: Row, key: dict, workdir: Path) -> dict:
    env = {"BENCH_KEY": key["key"] if row.auth else ""}
    if row.script == "capture.lua":
        head, event = capture_template(key["project_api_token"])
        template = workdir / "capture.txt"
        template.write_text(f"{head}\n{event}")
        env |= {
            "BENCH_TEMPLATE": str(template),
            "BENCH_BATCH": str(BATCH),
            "BENCH_USERS": str(USERS),
            "BENCH_PATH": row.paths[0],
        }
    else:
        paths = workdir / f"{row.key}.txt"
        lines = (
            [f"{path}\t{etag}" for path, etag in zip(row.paths, row.etags, strict=False)]
            if row.etags
            else row.paths
        )
        paths.write_text("\n".join(lines) + "\n")
        env["BENCH_PATHS"] = str(paths)
    result = wrk.run(base, row.script, env, SECONDS, row.connections)
    expected = {304} if row.expect == 304 else set(range(200, 300))
    result["non_2xx"] = sum(n for code, n in result["statuses"].items() if code not in expected)
    result["errors"] = result["non_2xx"] + sum(result["socket_errors"].values())
    return result


# ---- report --------------------------------------------------------------------------------------


def judge(rows: list[Row], baseline: dict) -> None:
    """Sets each loaded row's ratio and target verdicts (targets live here only, never in tests)."""
    by_key = {row.key: row for row in rows}
    for row in rows:
        r = row.result
        if r is None:
            continue
        r["ratio"] = round(r["req_s"] / baseline["req_s"], 3) if baseline["req_s"] else None
        checks = []
        if row.min_ratio is not None:
            checks.append((f"≥{row.min_ratio}x", r["ratio"] is not None and r["ratio"] >= row.min_ratio))
        if row.key == "prompt_sdk":
            checks.append(("p99≤3xhealth", r["p99_ms"] <= 3 * baseline["p99_ms"]))
        if row.key == "items_deep" and by_key["items_first"].result:
            first = by_key["items_first"].result["p50_ms"]
            checks.append(("p50≤1.5xfirst page", r["p50_ms"] <= 1.5 * first))
        if row.key == "capture":
            r["events_s"] = round(r["req_s"] * BATCH, 1)
            checks.append((f"{r['events_s']:,.0f} ev/s ≥5,000", r["events_s"] >= 5000))
        if row.key == "spend_uncached_1":
            checks.append(("p50≤300ms", r["p50_ms"] <= 300))
        checks.append(("no errors", r["errors"] == 0))
        r["targets"] = {name: ok for name, ok in checks}
        r["pass"] = all(ok for _, ok in checks)


def table(rows: list[Row], queries: dict) -> str:
    head = f"{'endpoint':<36} {'req/s':>8} {'p50 ms':>8} {'p99 ms':>8} {'q/req':>6} {'ratio':>6} {'non-2xx':>8}  target"
    lines = [head, "-" * len(head)]
    for row in rows:
        q = queries.get(row.key, {}).get("queries", "-")
        r = row.result
        if r is None:
            lines.append(f"{row.label:<36} {row.note}")
            continue
        errors = str(r["non_2xx"]) + (
            f"+{sum(r['socket_errors'].values())}s" if any(r["socket_errors"].values()) else ""
        )
        verdict = (
            ("pass" if r["pass"] else "MISS")
            + " ("
            + ", ".join(f"{name}{'' if ok else ' ✗'}" for name, ok in r["targets"].items())
            + ")"
        )
        ratio = f"{r['ratio']:.2f}" if r["ratio"] is not None else "-"
        lines.append(
            f"{row.label:<36} {r['req_s']:>8.1f} {r['p50_ms']:>8.1f} {r['p99_ms']:>8.1f} {q!s:>6} {ratio:>6} {errors:>8}  {verdict}"
        )
    return "\n".join(lines)


def git_revision() -> dict:
    def git(*args: str) -> str:
        return subprocess.run(["git", *args], cwd=ROOT, capture_output=True, text=True).stdout.strip()

    return {"commit": git("rev-parse", "HEAD"), "dirty_files": len(git("status", "--porcelain").splitlines())}


def main() -> None:
    started = time.perf_counter()
    wrk.ensure_wrk()
    with scratch_database() as env, tempfile.TemporaryDirectory(prefix="llm_bench_wrk_") as tmp:
        key = json.loads(env["BENCH_KEY_JSON"])
        print(f"seeding ({'PostgreSQL' if os.environ.get('DATABASE_URL') else 'SQLite'}) ...", flush=True)
        seeded = seed(env, key)
        print(f"seeded in {seeded['wall_seconds']} s: {seeded['seconds']}", flush=True)
        info = machine(env, seeded["database"])
        g = info["gunicorn"]
        print(
            f"machine: {info['nproc']} cpu ({info['cpu']}), {info['database']}, cache {info['cache']}, "
            f"gunicorn {g['workers']} workers x {g['threads']} threads ({g['worker_class']}); "
            f"wrk -t{wrk.THREADS} -c{wrk.CONNECTIONS} -d{SECONDS}s",
            flush=True,
        )
        rows = rows_for(key, seeded)
        if ONLY:
            rows = [row for row in rows if row.key in ONLY or row.key.startswith("health_")]
        server_log = Path(tmp) / "gunicorn.log"
        with gunicorn(env, server_log) as (base, monitor):
            verify(base, rows, key)
            queries = count_queries(env, rows, key)
            for row in rows:
                if row.note:
                    print(f"  {row.label}: {row.note}", flush=True)
                    continue
                if row.key == "spend_cached":
                    fetch(base, row.paths[0] + "&refresh=true", key["key"])  # the answer is cached from here
                row.result = load(base, row, key, Path(tmp))
                r = row.result
                print(
                    f"  {row.label}: {r['req_s']} req/s, p50 {r['p50_ms']} ms, errors {r['errors']}",
                    flush=True,
                )
            rss = monitor.report()
        log = log_summary(server_log)
    by_key = {row.key: row.result for row in rows}
    baseline = {
        "req_s": statistics.mean([by_key["health_start"]["req_s"], by_key["health_end"]["req_s"]]),
        "p50_ms": statistics.mean([by_key["health_start"]["p50_ms"], by_key["health_end"]["p50_ms"]]),
        "p99_ms": statistics.mean([by_key["health_start"]["p99_ms"], by_key["health_end"]["p99_ms"]]),
    }
    judge(rows, baseline)
    rss_ok = bool(rss) and max(rss.values()) < RSS_LIMIT_MB
    total = round(time.perf_counter() - started, 1)
    print()
    print(table(rows, queries))
    print()
    print(
        f"baseline = mean of /_health at start and end: {baseline['req_s']:.1f} req/s, "
        f"p99 {baseline['p99_ms']:.1f} ms. ratio = req/s / baseline. q/req = SQL queries of one warm "
        "request (in-process). spend uncached = refresh=true (recomputes and rewrites the cache entry)."
    )
    print(
        f"worker RSS max (MB) per pid: {rss}  -> {'pass' if rss_ok else 'MISS'} (< {RSS_LIMIT_MB} MB each; "
        f"{len(rss)} worker processes seen, restarts after max_requests included)"
    )
    print(
        f"server log: {log['worker_boots']} worker boots, {log['worker_timeouts']} worker timeouts, "
        f"{log['error_lines']} error lines" + "".join(f"\n  {line}" for line in log["first_errors"])
    )
    misses = [row.label for row in rows if row.result and not row.result["pass"]]
    print(f"targets missed: {len(misses) + (not rss_ok)} of {sum(1 for r in rows if r.result) + 1}")
    print(f"seeding {seeded['wall_seconds']} s, whole run {total} s")
    RESULTS.parent.mkdir(exist_ok=True)
    report = {
        "when": datetime.now(tz=UTC).isoformat(timespec="seconds"),
        "git": git_revision(),
        "machine": info,
        "load": {"tool": "wrk", "threads": wrk.THREADS, "connections": wrk.CONNECTIONS, "seconds": SECONDS},
        "seed": seeded,
        "baseline": baseline | {"how": "mean of /_health at the start and the end of the run"},
        "rows": [
            {"key": row.key, "endpoint": row.label, "path_example": row.paths[0], "note": row.note or None}
            | (row.result or {})
            | {"queries_per_request": queries.get(row.key, {}).get("queries")}
            for row in rows
        ],
        "worker_rss_max_mb": rss,
        "worker_rss_pass": rss_ok,
        "server_log": log,
        "total_seconds": total,
    }
    if ONLY:
        print("BENCH_ONLY: partial run, results file left as it was")
        return
    RESULTS.write_text(json.dumps(report, indent=2, default=str) + "\n")
    print(f"wrote {RESULTS.relative_to(ROOT)}")


if __name__ == "__main__":
    main()
