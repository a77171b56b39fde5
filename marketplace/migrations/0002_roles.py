"""The role groups: official, finance, reviewer, sponsor. Officials may use the Wagtail admin
and edit pages below the home page; per-region page permissions are granted on top."""

from django.db import migrations

GROUPS = ["official", "finance", "reviewer", "sponsor"]


def create_groups(apps, schema_editor):
    Group = apps.get_model("auth.Group")
    Permission = apps.get_model("auth.Permission")
    ContentType = apps.get_model("contenttypes.ContentType")
    for name in GROUPS:
        Group.objects.get_or_create(name=name)
    official = Group.objects.get(name="official")
    admin_type, _ = ContentType.objects.get_or_create(app_label="wagtailadmin", model="admin")
    access, _ = Permission.objects.get_or_create(content_type=admin_type, codename="access_admin",
                                                 defaults={"name": "Can access Wagtail admin"})
    official.permissions.add(access)


class Migration(migrations.Migration):
    dependencies = [
        ("marketplace", "0001_initial"),
        ("auth", "0012_alter_user_first_name_max_length"),
        ("wagtailadmin", "0005_editingsession_is_editing"),
    ]
    operations = [migrations.RunPython(create_groups, migrations.RunPython.noop)]
