from django.db import migrations, models

import appointments.models


class Migration(migrations.Migration):
    dependencies = [
        ("appointments", "0004_widen_status_start_index"),
    ]

    operations = [
        migrations.AddField(
            model_name="provider",
            name="diary_version",
            field=models.BigIntegerField(default=appointments.models.new_diary_version, editable=False),
        ),
    ]
