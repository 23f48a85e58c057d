import events.models
from django.db import migrations


class Migration(migrations.Migration):
    """The per-person index, rebuilt to hold the spend columns on PostgreSQL (index-only scans).
    The new one is built before the old one goes, so the filter is always served."""

    dependencies = [
        ("events", "0003_backfill_event_spend_columns"),
    ]

    operations = [
        migrations.AddIndex(
            model_name="event",
            index=events.models.CoveringIndex(
                covering=(
                    "ai_product",
                    "ai_model",
                    "ai_tools_called",
                    "ai_cost_usd",
                    "ai_input_tokens",
                    "ai_output_tokens",
                ),
                fields=["team", "person", "event", "timestamp"],
                name="event_team_person_spend_idx",
            ),
        ),
        migrations.RemoveIndex(
            model_name="event",
            name="event_team_person_event_ts_idx",
        ),
    ]
