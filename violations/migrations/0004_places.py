"""Location / Shift moved from hazards to places (issue 10 §4): the foreign keys point at places in the state
only; the tables (hazards_location, hazards_shift) and the columns are unchanged, so no data moves."""

import django.db.models.deletion
from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("places", "0001_initial"),
        ("violations", "0003_events_on_the_kernel"),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.AlterField(
                    model_name="violation",
                    name="location",
                    field=models.ForeignKey(
                        blank=True,
                        null=True,
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="violations",
                        to="places.location",
                        verbose_name="地点",
                    ),
                ),
                migrations.AlterField(
                    model_name="violation",
                    name="shift",
                    field=models.ForeignKey(
                        blank=True,
                        null=True,
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="+",
                        to="places.shift",
                        verbose_name="班次",
                    ),
                ),
            ],
            database_operations=[],
        ),
    ]
