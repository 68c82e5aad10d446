"""Location / Shift moved from hazards to places (issue 10 §4): the foreign keys point at places in the state
only; the tables (hazards_location, hazards_shift) and the columns are unchanged, so no data moves."""

import django.db.models.deletion
from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("places", "0001_initial"),
        ("vanguard", "0002_chinese_names"),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.AlterField(
                    model_name="assignment",
                    name="locations",
                    field=models.ManyToManyField(
                        blank=True, related_name="vanguard_assignments", to="places.location", verbose_name="责任区"
                    ),
                ),
                migrations.AlterField(
                    model_name="modelpost",
                    name="location",
                    field=models.ForeignKey(
                        blank=True,
                        null=True,
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="+",
                        to="places.location",
                        verbose_name="地点",
                    ),
                ),
            ],
            database_operations=[],
        ),
    ]
