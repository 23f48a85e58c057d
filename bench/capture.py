"""Capture throughput (events/s) in batches of 100, against a live gunicorn server.

Posts `$ai_generation` batches shaped like the `posthog` SDK's (about 1.5 kB per event, 20
distinct users, costs derived from genai-prices on the server, tool calls in the output): first
from one client sequentially, then from CLIENTS clients at once, plain JSON and gzip, and last with
costs and tools sent by the client (nothing to derive). Every answer must be 200 and the stored
count is checked at the end. Uses DATABASE_URL when set (a database named llm_capture_bench is
created and dropped), else a temporary SQLite file.

    .venv/bin/python bench/capture.py
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/postgres .venv/bin/python bench/capture.py
"""

import gzip
import json
import os
import threading
import time
import uuid
from datetime import UTC, datetime

import requests
from harness import THREADS, WORKERS, created_key, engine, live_server, manage, scratch_database, summary

BATCH = 100
BATCHES = int(os.environ.get("BENCH_CAPTURE_BATCHES", "100"))
CLIENTS = int(os.environ.get("BENCH_CAPTURE_CLIENTS", str(WORKERS * THREADS)))
USERS = 20


def event(n: int, client_cost: bool) -> dict:
    costs = (
        {"$ai_total_cost_usd": 0.0012, "$ai_tools_called": "Bash", "$ai_tool_call_count": 1}
        if client_cost
        else {}
    )
    return {
        "event": "$ai_generation",
        "distinct_id": f"user-{n % USERS}",
        "uuid": str(uuid.uuid4()),
        "timestamp": datetime.now(tz=UTC).isoformat(),
        "properties": {
            "$lib": "posthog-python",
            "$lib_version": "7.42.0",
            "$geoip_disable": True,
            "$is_server": True,
            "ai_product": "posthog_code",
            "$ai_provider": "openai",
            "$ai_model": "gpt-4o-mini",
            "$ai_input": [{"role": "system", "content": "You are helpful. " * 10}, {"role": "user", "content": f"Question {n}? " * 20}],
            "$ai_output_choices": [
                {"role": "assistant", "content": [
                    {"type": "text", "text": "Let me check. " * 10},
                    {"type": "function", "id": f"call-{n}", "function": {"name": "Bash", "arguments": '{"cmd": "ls"}'}},
                ]}
            ],
            "$ai_input_tokens": 1000 + n % 500,
            "$ai_output_tokens": 200 + n % 100,
            "$ai_latency": 0.8,
            "$ai_http_status": 200,
            "$ai_trace_id": str(uuid.uuid4()),
            "$ai_base_url": "https://api.openai.com/v1",
            **costs,
        },
    }  # fmt: skip


def body(token: str, start: int, compress: bool, client_cost: bool = False) -> tuple[bytes, dict]:
    payload = {
        "batch": [event(start + i, client_cost) for i in range(BATCH)],
        "historical_migration": False,
        "sent_at": datetime.now(tz=UTC).isoformat(),
        "api_key": token,
    }
    data = json.dumps(payload).encode()
    headers = {"Content-Type": "application/json", "User-Agent": "posthog-python/7.42.0"}
    if compress:
        data = gzip.compress(data)
        headers["Content-Encoding"] = "gzip"
    return data, headers


def post_batches(url: str, token: str, count: int, options: tuple[bool, bool], samples: list[float]) -> None:
    session = requests.Session()
    bodies = [body(token, n * BATCH, *options) for n in range(count)]  # built before the clock runs
    for data, headers in bodies:
        start = time.perf_counter()
        response = session.post(url, data=data, headers=headers, timeout=60)
        samples.append((time.perf_counter() - start) * 1000)
        if response.status_code != 200:
            raise SystemExit(f"POST {url} -> {response.status_code} {response.text[:200]}")
    session.close()


def run(url: str, token: str, clients: int, compress: bool, client_cost: bool) -> tuple[float, list[float]]:
    """Events per second over `clients` concurrent senders of BATCHES batches in all."""
    samples: list[float] = []
    per_client = max(BATCHES // clients, 1)
    threads = [
        threading.Thread(target=post_batches, args=(url, token, per_client, (compress, client_cost), samples))
        for _ in range(clients)
    ]
    started = time.perf_counter()
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    elapsed = time.perf_counter() - started
    return per_client * clients * BATCH / elapsed, samples


def main() -> None:
    with scratch_database("llm_capture_bench") as env:
        token = created_key(env)["project_api_token"]
        with live_server(env) as server:
            url = f"{server}/batch/"
            print(
                f"{engine()}, gunicorn {WORKERS} workers x {THREADS} threads; batches of {BATCH} $ai_generation events"
            )
            run(url, token, 1, False, False)  # warm-up: the users' persons exist from here on
            sent = 0
            for label, clients, compress, client_cost in [
                ("1 client, JSON                   ", 1, False, False),
                ("1 client, gzip                   ", 1, True, False),
                (f"{CLIENTS} clients, JSON                  ", CLIENTS, False, False),
                (f"{CLIENTS} clients, gzip                  ", CLIENTS, True, False),
                (f"{CLIENTS} clients, JSON, client costs    ", CLIENTS, False, True),
            ]:
                rate, samples = run(url, token, clients, compress, client_cost)
                sent += len(samples) * BATCH
                print(f"{label} {rate:8.0f} events/s   per batch {summary(samples)}")
        output = manage(env, "shell", "-c", "from events.models import Event; print(Event.objects.count())")
        stored = output.split()[-1]
        expected = sent + max(BATCHES, 1) * BATCH
        print(f"stored {stored} events (expected {expected})")
        if int(stored) != expected:
            raise SystemExit("stored count does not match")


if __name__ == "__main__":
    main()
