from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("appointments", "0005_provider_diary_version"),
    ]

    operations = [
        # Each wider index before the one it replaces: the foreign keys and the (status, start)
        # queries always have one.
        migrations.AddIndex(
            model_name="appointment",
            index=models.Index(
                fields=["patient", "start", "status", "provider", "location"], name="appt_patient_start_cover"
            ),
        ),
        migrations.RemoveIndex(model_name="appointment", name="appt_patient_start"),
        migrations.AddIndex(
            model_name="appointment",
            index=models.Index(fields=["status", "start", "id", "provider", "end"], name="appt_status_start_key_cover"),
        ),
        migrations.RemoveIndex(model_name="appointment", name="appt_status_start_cover"),
        migrations.AddIndex(
            model_name="appointment",
            index=models.Index(fields=["start", "id", "patient"], name="appt_start_key_patient"),
        ),
    ]
