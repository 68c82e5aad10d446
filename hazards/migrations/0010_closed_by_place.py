# A branch's figures read from small partial indexes of its places and units (measured at mine size):
# - 本月按期销号率 (home tile): the month's closings of the branch's places and units, not filtered out of every
#   closing of the mine that month (8.6 → 2.4 ms);
# - the overdue of a branch (自查 evidence): counted from the open hazards' index alone, which now holds the status
#   and id (9.6 → 0.5 ms).
# The new index is made before the old one goes, so the queries keep an index throughout.

from django.db import migrations, models

OPEN = ("registered", "rectifying", "extension", "pending")


class Migration(migrations.Migration):
    dependencies = [
        ("hazards", "0009_mine_closed_cover"),
    ]

    operations = [
        migrations.AddIndex(
            model_name="hazard",
            index=models.Index(
                condition=models.Q(status="closed"),
                fields=["location", "closed_at"],
                include=("deadline",),
                name="hazard_closed_location",
            ),
        ),
        migrations.AddIndex(
            model_name="hazard",
            index=models.Index(
                condition=models.Q(status="closed"),
                fields=["responsible_unit", "closed_at"],
                include=("deadline",),
                name="hazard_closed_unit",
            ),
        ),
        migrations.AddIndex(
            model_name="hazard",
            index=models.Index(
                condition=models.Q(status__in=OPEN),
                fields=["location", "deadline"],
                include=("status", "id"),
                name="hazard_open_location_cover",
            ),
        ),
        migrations.RemoveIndex(model_name="hazard", name="hazard_open_location"),
    ]
