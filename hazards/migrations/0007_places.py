"""Location and Shift moved to the app places (issue 10 §4): hazards' foreign keys point there and the two models
leave hazards' state. Nothing happens in the database: places claims the same tables (hazards_location,
hazards_shift) through ``db_table``; the other apps' keys were moved first (their migrations below)."""

import django.db.models.deletion
from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("hazards", "0006_chinese_names"),
        ("places", "0001_initial"),
        ("violations", "0004_places"),
        ("vanguard", "0003_places"),
        ("frontline", "0004_places"),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.AlterField(
                    model_name="hazard",
                    name="location",
                    field=models.ForeignKey(
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="hazards",
                        to="places.location",
                        verbose_name="地点",
                    ),
                ),
                migrations.AlterField(
                    model_name="hazard",
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
                migrations.AlterField(
                    model_name="hazardtally",
                    name="location",
                    field=models.ForeignKey(
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="+",
                        to="places.location",
                        verbose_name="地点",
                    ),
                ),
                migrations.DeleteModel(name="Location"),
                migrations.DeleteModel(name="Shift"),
            ],
            database_operations=[],
        ),
    ]
