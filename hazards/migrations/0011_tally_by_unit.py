# The running counts also hold the responsible unit, so a branch's statistics are read from the cells of its places
# and units instead of every hazard of its year (a branch-year is tens of thousands of rows at mine size). The counts
# are made again from the hazards (``hazards.tally.rebuild`` with the historical models).

from django.db import migrations, models


def recount(apps, schema_editor):
    from hazards import tally

    tally.rebuild(models=(apps.get_model("hazards", "Hazard"), apps.get_model("hazards", "HazardTally")))


class Migration(migrations.Migration):
    dependencies = [
        ("hazards", "0010_closed_by_place"),
    ]

    operations = [
        migrations.RemoveConstraint(model_name="hazardtally", name="hazard_tally_cell"),
        migrations.AddField(
            model_name="hazardtally",
            name="unit",
            field=models.BigIntegerField(default=0, verbose_name="责任单位"),
        ),
        migrations.AddIndex(
            model_name="hazardtally",
            index=models.Index(fields=["location", "month"], name="hazard_tally_location"),
        ),
        migrations.AddIndex(
            model_name="hazardtally",
            index=models.Index(fields=["unit", "month"], name="hazard_tally_unit"),
        ),
        migrations.AddConstraint(
            model_name="hazardtally",
            constraint=models.UniqueConstraint(
                fields=("mine", "month", "location", "category", "grade", "unit"), name="hazard_tally_cell_unit"
            ),
        ),
        migrations.RunPython(recount, migrations.RunPython.noop),
    ]
