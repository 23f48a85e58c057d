"""Reads of log records, always within one project and one time window."""

import re
from dataclasses import dataclass
from datetime import datetime

from django.db import connection
from django.db.models import Q
from django.db.models.fields.json import KeyTextTransform
from django.db.models.lookups import Exact, IContains

from logs.models import LogRecord

LOG = "log"
RESOURCE = "resource"
FILTER_TYPES = {LOG: "log_attribute", RESOURCE: "log_resource_attribute"}
MAP_COLUMNS = {LOG: "attributes", RESOURCE: "resource_attributes"}


@dataclass(frozen=True)
class AttributeQuery:
    attribute_type: str
    search: str
    date_from: datetime
    date_to: datetime
    service_names: tuple[str, ...]
    limit: int
    offset: int
    # Only records matching this property-filter group count (see property_filter).
    filters: Q | None = None


# A property filter's `type` names the map its `key` is read from.
FILTER_COLUMNS = {"log_attribute": "attributes", "log_resource_attribute": "resource_attributes"}
MAX_FILTER_NODES = 100


def _leaf_filter(leaf: dict, budget: list[int]) -> Q | None:
    """One `{key, value, operator, type}` filter on an attribute map, or None when it is not one
    this server can apply (an unknown type or operator is ignored, as a malformed group is). Each
    value past the first spends one node of `budget`; values past the budget are left out."""
    kind, key, operator = leaf.get("type"), leaf.get("key"), leaf.get("operator") or "exact"
    column = FILTER_COLUMNS.get(kind) if isinstance(kind, str) else None
    if (
        column is None
        or not isinstance(key, str)
        or not key
        or "\x00" in key
        or not isinstance(operator, str)
    ):
        return None
    raw = leaf.get("value")
    values = [v for v in (raw if isinstance(raw, list) else [raw]) if isinstance(v, str | int | float)]
    values = [str(v).replace("\x00", "") for v in values if not isinstance(v, bool)]
    values = values[: max(budget[0], 0) + 1]
    budget[0] -= max(len(values) - 1, 0)
    text = KeyTextTransform(key, column)
    if operator == "is_set":
        return Q(**{f"{column}__has_key": key})
    if operator == "is_not_set":
        return ~Q(**{f"{column}__has_key": key})
    lookups = {"exact": Exact, "is_not": Exact, "icontains": IContains, "not_icontains": IContains}
    if not values or operator not in lookups:
        return None
    # Lookup expressions, not `column__key` kwargs, so any key (dots, `__`, spaces) is read as is.
    matched = Q(*[lookups[operator](text, value) for value in values], _connector=Q.OR)
    if operator in ("is_not", "not_icontains"):
        # A record without the key counts as not matching (its value reads as empty).
        return ~matched | ~Q(**{f"{column}__has_key": key})
    return matched


def property_filter(group, *, budget: list[int] | None = None) -> Q | None:
    """A PostHog property-filter group (`{"type": "AND"|"OR", "values": [group or filter, …]}`) as
    a condition on log records; None when nothing in it applies."""
    budget = budget if budget is not None else [MAX_FILTER_NODES]
    if not isinstance(group, dict) or budget[0] <= 0:
        return None
    budget[0] -= 1
    children = group.get("values")
    if not isinstance(children, list):
        return _leaf_filter(group, budget)
    parts = [part for child in children if (part := property_filter(child, budget=budget)) is not None]
    if not parts:
        return None
    return Q(*parts, _connector=Q.OR if str(group.get("type", "AND")).upper() == "OR" else Q.AND)


def _window(*, team_id: int, query: AttributeQuery):
    """The project's records in the window (and of the services, when given): the (team,
    timestamp) and (team, service, timestamp) indexes serve it."""
    records = LogRecord.objects.filter(
        team_id=team_id, timestamp__gte=query.date_from, timestamp__lte=query.date_to
    )
    if query.service_names:
        records = records.filter(service_name__in=query.service_names)
    if query.filters is not None:
        records = records.filter(query.filters)
    return records.order_by()


def _keys_sql(column: str, source_sql: str) -> str:
    """Each key of the JSON map `column` of every row of `source_sql`, one row per occurrence."""
    if connection.vendor == "postgresql":
        return f"SELECT jsonb_object_keys(w.{column}) AS k FROM ({source_sql}) w"
    return f"SELECT j.key AS k FROM ({source_sql}) w, json_each(w.{column}) j"


def _contains_sql(expression: str) -> str:
    function = "strpos" if connection.vendor == "postgresql" else "instr"
    return f"{function}(lower({expression}), lower(%s)) > 0"


def attribute_key_counts(*, team_id: int, query: AttributeQuery) -> list[tuple[str, int]]:
    """Each key of the chosen attribute map over the window with the number of records that have
    it, keys containing `search` (case-insensitively) only; log keys that are also resource keys
    in the window are left out."""
    column = MAP_COLUMNS[query.attribute_type]
    source_sql, source_params = (
        _window(team_id=team_id, query=query)
        .values("attributes", "resource_attributes")
        .query.sql_with_params()
    )
    sql = f"SELECT keys.k, COUNT(*) FROM ({_keys_sql(column, source_sql)}) keys"
    params: list = list(source_params)
    conditions = []
    if query.search:
        conditions.append(_contains_sql("keys.k"))
        params.append(query.search)
    if query.attribute_type == LOG:
        conditions.append(f"keys.k NOT IN ({_keys_sql('resource_attributes', source_sql)})")
        params.extend(source_params)
    if conditions:
        sql += " WHERE " + " AND ".join(conditions)
    sql += " GROUP BY keys.k"
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return [(key, count) for key, count in cursor.fetchall() if key is not None]


def _rank(search: str):
    lowered = search.lower()
    whole_word = re.compile(rf"(?<!\w){re.escape(search)}(?!\w)", re.IGNORECASE) if search else None

    def key(item: tuple[str, int]):
        name, count = item
        exact = bool(search) and name.lower() == lowered
        word = whole_word is not None and whole_word.search(name) is not None
        return (not exact, not word, -count, name)

    return key


def attribute_keys(*, team_id: int, query: AttributeQuery) -> tuple[list[dict[str, str]], int]:
    """One page of attribute keys and the number of matching keys. Order: the exact
    (case-insensitive) match, then keys holding the search as a whole word, then the most
    frequent, then by name."""
    counts = sorted(attribute_key_counts(team_id=team_id, query=query), key=_rank(query.search))
    page = counts[query.offset : query.offset + query.limit]
    filter_type = FILTER_TYPES[query.attribute_type]
    return [{"name": name, "propertyFilterType": filter_type} for name, _ in page], len(counts)
