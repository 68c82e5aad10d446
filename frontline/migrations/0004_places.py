"""Location / Shift moved from hazards to places (issue 10 §4): the foreign keys point at places in the state
only; the tables (hazards_location, hazards_shift) and the columns are unchanged, so no data moves."""

import django.db.models.deletion
from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("frontline", "0003_events_on_the_kernel"),
        ("places", "0001_initial"),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.AlterField(
                    model_name="diaryentry",
                    name="location",
                    field=models.ForeignKey(
                        blank=True,
                        null=True,
                        on_delete=django.db.models.deletion.SET_NULL,
                        related_name="+",
                        to="places.location",
                        verbose_name="井下地点",
                    ),
                ),
                migrations.AlterField(
                    model_name="urgenttask",
                    name="location",
                    field=models.ForeignKey(
                        blank=True,
                        null=True,
                        on_delete=django.db.models.deletion.SET_NULL,
                        related_name="+",
                        to="places.location",
                        verbose_name="井下地点",
                    ),
                ),
            ],
            database_operations=[],
        ),
    ]
