"""Location and Shift move here from hazards (issue 10 §4). The tables keep their names (``db_table``:
hazards_location, hazards_shift) and were made by hazards' own migrations, so this claims them in the state only;
the content types are renamed too, so the audit log and permissions of the existing rows stay attached."""

import django.db.models.deletion
from django.db import migrations, models


MOVED = ("location", "shift")


def rename_content_types(apps, schema_editor, old="hazards", new="places"):
    ContentType = apps.get_model("contenttypes", "ContentType")
    for model in MOVED:
        if not ContentType.objects.filter(app_label=new, model=model).exists():
            ContentType.objects.filter(app_label=old, model=model).update(app_label=new)


def rename_back(apps, schema_editor):
    rename_content_types(apps, schema_editor, old="places", new="hazards")


class Migration(migrations.Migration):
    initial = True

    dependencies = [
        ("orgs", "0006_merge_20261202_2251"),
        ("hazards", "0006_chinese_names"),  # the tables exist
        ("contenttypes", "0002_remove_content_type_name"),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.CreateModel(
                    name="Location",
                    fields=[
                        (
                            "id",
                            models.BigAutoField(
                                auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                            ),
                        ),
                        ("name", models.CharField(max_length=80, verbose_name="名称")),
                        (
                            "kind",
                            models.CharField(
                                choices=[("site", "施工地点"), ("face", "工作面"), ("roadway", "巷道")],
                                default="site",
                                max_length=20,
                                verbose_name="类型",
                            ),
                        ),
                        ("active", models.BooleanField(default=True, verbose_name="在用")),
                        (
                            "mine",
                            models.ForeignKey(
                                on_delete=django.db.models.deletion.PROTECT,
                                related_name="+",
                                to="orgs.orgnode",
                                verbose_name="矿",
                            ),
                        ),
                        (
                            "unit",
                            models.ForeignKey(
                                on_delete=django.db.models.deletion.PROTECT,
                                related_name="locations",
                                to="orgs.orgnode",
                                verbose_name="所属区队",
                            ),
                        ),
                    ],
                    options={
                        "verbose_name": "地点",
                        "verbose_name_plural": "地点",
                        "db_table": "hazards_location",
                        "ordering": ["unit_id", "name"],
                        "constraints": [
                            models.UniqueConstraint(fields=("mine", "name"), name="location_name_unique_per_mine")
                        ],
                    },
                ),
                migrations.CreateModel(
                    name="Shift",
                    fields=[
                        (
                            "id",
                            models.BigAutoField(
                                auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                            ),
                        ),
                        ("name", models.CharField(max_length=20, verbose_name="班次")),
                        ("order", models.PositiveSmallIntegerField(default=0, verbose_name="排序")),
                        (
                            "mine",
                            models.ForeignKey(
                                on_delete=django.db.models.deletion.PROTECT,
                                related_name="+",
                                to="orgs.orgnode",
                                verbose_name="矿",
                            ),
                        ),
                    ],
                    options={
                        "verbose_name": "班次",
                        "verbose_name_plural": "班次",
                        "db_table": "hazards_shift",
                        "ordering": ["mine_id", "order"],
                        "constraints": [
                            models.UniqueConstraint(fields=("mine", "name"), name="shift_name_unique_per_mine")
                        ],
                    },
                ),
            ],
            database_operations=[],
        ),
        migrations.RunPython(rename_content_types, rename_back),
    ]
