from django.db import migrations, models


class Migration(migrations.Migration):
    """The register's events take the kernel's shape (common.models.TransitionEvent): from and to status."""

    dependencies = [
        ("care", "0003_chinese_names"),
    ]

    operations = [
        migrations.AddField(
            model_name="entryevent",
            name="from_status",
            field=models.CharField(blank=True, max_length=12, verbose_name="原状态"),
        ),
        migrations.AddField(
            model_name="entryevent",
            name="to_status",
            field=models.CharField(default="", max_length=12, verbose_name="新状态"),
            preserve_default=False,
        ),
    ]
