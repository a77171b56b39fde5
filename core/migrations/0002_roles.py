"""The role groups: official, finance, reviewer, sponsor and agency head (kepala OPD). Officials
and agency heads may use the Wagtail admin; per-region page permissions are granted on top
(``marketplace.challenges.services.challenges.region_setup_permissions``)."""

from django.db import migrations

GROUPS = ["official", "finance", "reviewer", "sponsor", "agency_head"]
ADMIN_GROUPS = ["official", "agency_head"]


def create_groups(apps, schema_editor):
    Group = apps.get_model("auth.Group")
    Permission = apps.get_model("auth.Permission")
    ContentType = apps.get_model("contenttypes.ContentType")
    admin_type, _ = ContentType.objects.get_or_create(app_label="wagtailadmin", model="admin")
    access, _ = Permission.objects.get_or_create(
        content_type=admin_type, codename="access_admin", defaults={"name": "Can access Wagtail admin"}
    )
    for name in GROUPS:
        group, _ = Group.objects.get_or_create(name=name)
        if name in ADMIN_GROUPS:
            group.permissions.add(access)


class Migration(migrations.Migration):
    dependencies = [
        ("core", "0001_initial"),
        ("auth", "0012_alter_user_first_name_max_length"),
        ("contenttypes", "0002_remove_content_type_name"),
        ("wagtailadmin", "0005_editingsession_is_editing"),
    ]
    operations = [migrations.RunPython(create_groups, migrations.RunPython.noop)]
