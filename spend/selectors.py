"""A user's LLM spend, aggregated by the database from the internal project's AI events.

The events counted are the `$ai_generation` and `$ai_embedding` events of the internal project
(setting LLM_ANALYTICS_INTERNAL_TEAM_ID, else the lowest project id) whose person's current
`email` property equals the user's, in `[window_start, window_end)`. One statement computes every
block: the matching events are read once, only their typed spend columns (copied from the
properties at ingestion, see `events.models`; the JSON is never read), through the per-person index
that on PostgreSQL also holds those columns (an index-only scan), and each block is a GROUP BY of those rows with `limit + 1` rows, so no event is ever loaded
into Python. Answers are cached for 5 minutes per raw request.
"""

import functools
import hashlib
import json
import math
from datetime import datetime
from typing import Any

from django.conf import settings
from django.core.cache import cache
from django.db import connection

from events.models import Event, Person
from llm_server.accounts.models import Team
from llm_server.domain import DetailError
from spend.dates import iso_z

CACHE_SECONDS = 300
GENERATION, EMBEDDING = "$ai_generation", "$ai_embedding"
NOT_PROVISIONED = "Internal analytics team is not provisioned on this deployment."


class InternalTeamMissing(DetailError):
    """The configured internal project does not exist: 404 in the error envelope."""

    status_code = 404

    def __init__(self):
        super().__init__(NOT_PROVISIONED)

    def body(self) -> dict[str, Any]:
        return {"type": "invalid_request", "code": "not_found", "detail": self.message, "attr": None}


def personal_spend(
    *,
    email: str,
    product: str,
    date_from: str,
    date_to: str | None,
    window_start: datetime,
    window_end: datetime,
    limit: int,
    refresh: bool = False,
) -> dict:
    """The `@me/spend` body. Cached under the raw request (`-7d` is not re-resolved for 5 minutes);
    `refresh` recomputes and overwrites."""
    key = _cache_key(email, date_from, date_to, product, limit)
    if not refresh:
        cached = cache.get(key)
        if cached is not None:
            return cached
    team = internal_team()
    body = _spend_body(team, email, product, window_start, window_end, limit)
    cache.set(key, body, CACHE_SECONDS)
    return body


def _cache_key(email: str, date_from: str, date_to: str | None, product: str, limit: int) -> str:
    shape = json.dumps([email, date_from, date_to if date_to else "_now", product, limit])
    return f"personal_spend:{hashlib.sha256(shape.encode('utf-8', 'surrogatepass')).hexdigest()}"


def internal_team() -> Team:
    team_id = settings.LLM_ANALYTICS_INTERNAL_TEAM_ID
    teams = Team.objects.only("id")
    team = teams.filter(pk=team_id).first() if team_id is not None else teams.order_by("id").first()
    if team is None:
        raise InternalTeamMissing()
    return team


# ---- the statement ----------------------------------------------------------------------------


def _tool_split(vendor: str) -> str:
    """FROM-clause fragment: one row `piece` per comma-separated name of `tools` (no trimming);
    a missing or empty list gives one empty piece."""
    if vendor == "postgresql":
        return (
            "CROSS JOIN LATERAL unnest(COALESCE(NULLIF(string_to_array(g.tools, ','), '{}'), "
            "ARRAY[NULL]::text[])) AS split(piece)"
        )
    # SQLite: quote the list as one JSON string, then turn each comma into a string boundary.
    return "CROSS JOIN json_each('[' || replace(json_quote(COALESCE(g.tools, '')), ',', '\",\"') || ']') AS split"


STATEMENT = """
WITH matched AS MATERIALIZED (
    SELECT e.event AS event,
           e.ai_product AS product,
           e.ai_model AS model,
           e.ai_tools_called AS tools,
           e.ai_cost_usd AS cost,
           e.ai_input_tokens AS input_tokens,
           e.ai_output_tokens AS output_tokens
    FROM {events} e
    WHERE e.team_id = %(team)s
      AND e.person_id IN (SELECT p.id FROM {persons} p WHERE p.team_id = %(team)s AND p.email = %(email)s)
      AND e.event IN (%(generation)s, %(embedding)s)
      AND e.timestamp >= %(start)s AND e.timestamp < %(end)s
),
scoped AS (SELECT * FROM matched WHERE product = %(product)s),
tool_rows AS (
    SELECT NULLIF({piece}, '') AS tool, g.cost AS cost, g.input_tokens AS input_tokens
    FROM scoped g {split}
    WHERE g.event = %(generation)s
)
SELECT 'summary' AS block, CAST(NULL AS TEXT) AS name, COUNT(*) AS n, SUM(cost) AS cost,
       SUM(CASE WHEN product = %(product)s THEN 1 ELSE 0 END) AS a,
       SUM(CASE WHEN product = %(product)s THEN cost END) AS b, {none} AS c
FROM matched
UNION ALL SELECT * FROM (
    SELECT 'product', product, COUNT(*), SUM(cost), {none}, {none}, {none} FROM matched
    GROUP BY product ORDER BY {by_cost}, product IS NULL, product LIMIT %(rows)s
) AS by_product
UNION ALL SELECT * FROM (
    SELECT 'tool', tool, COUNT(*), SUM(cost), AVG(input_tokens), {none}, {none} FROM tool_rows
    GROUP BY tool ORDER BY {by_cost}, tool IS NULL, tool LIMIT %(rows)s
) AS by_tool
UNION ALL SELECT * FROM (
    SELECT 'model', model, COUNT(*), SUM(cost), SUM(input_tokens), SUM(output_tokens), {none} FROM scoped
    GROUP BY model ORDER BY {by_cost}, model IS NULL, model LIMIT %(rows)s
) AS by_model
"""


@functools.cache
def _statement(vendor: str) -> str:
    return STATEMENT.format(
        events=Event._meta.db_table,
        persons=Person._meta.db_table,
        piece="split.piece" if vendor == "postgresql" else "split.value",
        split=_tool_split(vendor),
        # Typed, so every branch of the union agrees on the column types.
        none="CAST(NULL AS NUMERIC)",
        by_cost="COALESCE(SUM(cost), 0) DESC, COUNT(*) DESC",
    )


def _rows(team: Team, email: str, product: str, start: datetime, end: datetime, limit: int) -> list[tuple]:
    params = {
        "team": team.id,
        "email": email,
        "product": product,
        "generation": GENERATION,
        "embedding": EMBEDDING,
        "start": connection.ops.adapt_datetimefield_value(start),
        "end": connection.ops.adapt_datetimefield_value(end),
        "rows": limit + 1,
    }
    with connection.cursor() as cursor:
        cursor.execute(_statement(connection.vendor), params)
        return cursor.fetchall()


# ---- the body ---------------------------------------------------------------------------------


def _float(value: Any) -> float:
    """A database number as a finite float (an absurd magnitude is clamped, never an error)."""
    if value is None:
        return 0.0
    number = float(value)
    if math.isnan(number):
        return 0.0
    return max(min(number, 1e300), -1e300)


def _cost(value: Any) -> float:
    return round(_float(value), 6)


def _int(value: Any) -> int:
    return math.trunc(_float(value))


def _ranked(rows: list[tuple], limit: int) -> dict:
    """A breakdown of `limit + 1` fetched rows: the first `limit`, by cost (then count, then key)."""
    rows = sorted(rows, key=lambda row: (-_float(row[3]), -row[2], row[1] is None, row[1] or ""))
    return {"rows": rows[:limit], "truncated": len(rows) > limit}


def _spend_body(team: Team, email: str, product: str, start: datetime, end: datetime, limit: int) -> dict:
    blocks: dict[str, list[tuple]] = {"summary": [], "product": [], "tool": [], "model": []}
    for row in _rows(team, email, product, start, end, limit):
        blocks[row[0]].append(row)
    _, _, event_count, total_cost, scoped_count, scoped_cost, _ = blocks["summary"][0]
    scoped_cost = _cost(scoped_cost)
    by_product = _ranked(blocks["product"], limit)
    by_tool = _ranked(blocks["tool"], limit)
    by_model = _ranked(blocks["model"], limit)
    return {
        "summary": {
            "date_from": iso_z(start),
            "date_to": iso_z(end),
            "product": product,
            "total_cost_usd": _cost(total_cost),
            "event_count": int(event_count or 0),
            "scoped_cost_usd": scoped_cost,
            "scoped_event_count": int(scoped_count or 0),
        },
        "by_product": {
            "items": [
                {"product": name, "event_count": int(n), "cost_usd": _cost(cost)}
                for _, name, n, cost, *_ in by_product["rows"]
            ],
            "truncated": by_product["truncated"],
        },
        "by_tool": {
            "items": [
                {
                    "tool": name,
                    "generation_count": int(n),
                    "cost_usd": _cost(cost),
                    "share_of_scoped": _cost(cost) / scoped_cost if scoped_cost > 0 else 0.0,
                    "avg_input_tokens": round(_float(avg_input), 0),
                }
                for _, name, n, cost, avg_input, *_ in by_tool["rows"]
            ],
            "truncated": by_tool["truncated"],
        },
        "by_model": {
            "items": [
                {
                    "model": name,
                    "generation_count": int(n),
                    "cost_usd": _cost(cost),
                    "input_tokens": _int(input_tokens),
                    "output_tokens": _int(output_tokens),
                }
                for _, name, n, cost, input_tokens, output_tokens, _ in by_model["rows"]
            ],
            "truncated": by_model["truncated"],
        },
        "top_traces": {"items": [], "truncated": False},
    }
