"""Create the role groups. Their permissions are kept in sync after every migrate by
``accounts.roles.sync_role_permissions`` (permissions exist only after all apps migrated)."""

from django.db import migrations

ROLES = ("Patient", "Doctor", "Nurse", "Receptionist", "Clinic admin")


def create_roles(apps, schema_editor):
    Group = apps.get_model("auth", "Group")
    for name in ROLES:
        Group.objects.using(schema_editor.connection.alias).get_or_create(name=name)


def remove_roles(apps, schema_editor):
    Group = apps.get_model("auth", "Group")
    Group.objects.using(schema_editor.connection.alias).filter(name__in=ROLES).delete()


class Migration(migrations.Migration):
    dependencies = [
        ("accounts", "0001_initial"),
        ("auth", "0012_alter_user_first_name_max_length"),
    ]

    operations = [migrations.RunPython(create_roles, remove_roles)]
