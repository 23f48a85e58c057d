"""Fills the spend columns of the AI events stored before they existed, from their properties.

The expressions are the ones spend read the JSON with until then (per database), so every answer
stays the same. Batched by id ranges, each batch its own transaction (the migration is not atomic),
so a large table is never locked or rewritten in one go; re-running it rewrites the same values.
"""

from django.db import migrations, transaction

BATCH_IDS = 20_000
EVENTS = ("$ai_generation", "$ai_embedding")
# (column, property, kind)
COLUMNS = (
    ("ai_product", "ai_product", "text"),
    ("ai_model", "$ai_model", "text"),
    ("ai_tools_called", "$ai_tools_called", "text"),
    ("ai_cost_usd", "$ai_total_cost_usd", "number"),
    ("ai_input_tokens", "$ai_input_tokens", "number"),
    ("ai_output_tokens", "$ai_output_tokens", "number"),
)
# A number written as text (bounded, so the cast cannot fail).
NUMERIC_TEXT = r"^\s*[+-]?([0-9]{1,250}(\.[0-9]{0,250})?|\.[0-9]{1,250})([eE][+-]?[0-9]{1,3})?\s*$"


def _postgresql(table: str) -> str:
    # One pass over each row's properties through jsonb_to_record.
    record = ", ".join(f'"{key}" jsonb' for _, key, _ in COLUMNS)
    values = []
    for _, key, kind in COLUMNS:
        text = f"""(x."{key}" #>> '{{}}')"""
        if kind == "text":
            values.append(text)
        else:
            values.append(
                f"""(CASE jsonb_typeof(x."{key}") WHEN 'number' THEN {text}::numeric """
                f"WHEN 'string' THEN CASE WHEN {text} ~ '{NUMERIC_TEXT}' THEN {text}::numeric END END)"
            )
    columns = ", ".join(column for column, _, _ in COLUMNS)
    return (
        f"UPDATE {table} AS e SET ({columns}) = "
        f"(SELECT {', '.join(values)} FROM jsonb_to_record(e.properties) AS x({record})) "
        "WHERE e.id >= %s AND e.id < %s AND e.event IN (%s, %s)"
    )


def _sqlite(table: str) -> str:
    assignments = []
    for column, key, kind in COLUMNS:
        path = f"'$.\"{key}\"'"
        value = f"json_extract(properties, {path})"
        if kind == "text":
            expression = (
                f"CASE json_type(properties, {path}) WHEN 'true' THEN 'true' WHEN 'false' THEN 'false' "
                f"ELSE CAST({value} AS TEXT) END"
            )
        else:
            expression = (
                f"CASE json_type(properties, {path}) WHEN 'integer' THEN CAST({value} AS REAL) "
                f"WHEN 'real' THEN {value} "
                f"WHEN 'text' THEN CASE WHEN {value} REGEXP '{NUMERIC_TEXT}' THEN CAST(trim({value}) AS REAL) END END"
            )
        assignments.append(f"{column} = ({expression})")
    return f"UPDATE {table} SET {', '.join(assignments)} WHERE id >= %s AND id < %s AND event IN (%s, %s)"


def backfill(apps, schema_editor):
    Event = apps.get_model("events", "Event")
    connection = schema_editor.connection
    table = connection.ops.quote_name(Event._meta.db_table)
    statement = _postgresql(table) if connection.vendor == "postgresql" else _sqlite(table)
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT MIN(id), MAX(id) FROM {table}")
        low, high = cursor.fetchone()
    if low is None:
        return
    for start in range(low, high + 1, BATCH_IDS):
        with transaction.atomic(using=connection.alias), connection.cursor() as cursor:
            cursor.execute(statement, [start, start + BATCH_IDS, *EVENTS])


class Migration(migrations.Migration):
    atomic = False

    dependencies = [
        ("events", "0002_event_spend_columns"),
    ]

    operations = [
        migrations.RunPython(backfill, migrations.RunPython.noop, elidable=True),
    ]
