from django.db import migrations, models


class Migration(migrations.Migration):
    """The home cache's generation per table written (the one row there was becomes ``*``)."""

    dependencies = [("common", "0004_home_generation")]

    operations = [
        migrations.AddField(
            model_name="homegeneration",
            name="table",
            field=models.CharField(default="*", max_length=100, unique=True, verbose_name="表"),
            preserve_default=False,
        ),
    ]
