import events.models
from django.db import migrations, models


class Migration(migrations.Migration):
    """Typed copies of what spend aggregates (filled at ingestion; 0003 fills the stored events)."""

    dependencies = [
        ("events", "0001_initial"),
    ]

    operations = [
        migrations.AddField(
            model_name="event",
            name="ai_cost_usd",
            field=events.models.ExactNumberField(blank=True, null=True),
        ),
        migrations.AddField(
            model_name="event",
            name="ai_input_tokens",
            field=events.models.ExactNumberField(blank=True, null=True),
        ),
        migrations.AddField(
            model_name="event",
            name="ai_model",
            field=models.TextField(blank=True, null=True),
        ),
        migrations.AddField(
            model_name="event",
            name="ai_output_tokens",
            field=events.models.ExactNumberField(blank=True, null=True),
        ),
        migrations.AddField(
            model_name="event",
            name="ai_product",
            field=models.TextField(blank=True, null=True),
        ),
        migrations.AddField(
            model_name="event",
            name="ai_tools_called",
            field=models.TextField(blank=True, null=True),
        ),
    ]
