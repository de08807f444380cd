from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("appointments", "0005_provider_diary_version"),
    ]

    operations = [
        # The wider status index first, so (status, start) queries always have one.
        migrations.AddIndex(
            model_name="appointment",
            index=models.Index(fields=["status", "start", "-id", "provider", "end"], name="appt_status_start_id_cover"),
        ),
        migrations.RemoveIndex(
            model_name="appointment",
            name="appt_status_start_cover",
        ),
        migrations.AddIndex(
            model_name="appointment",
            index=models.Index(fields=["start", "-id", "patient"], name="appt_start_id_patient"),
        ),
    ]
