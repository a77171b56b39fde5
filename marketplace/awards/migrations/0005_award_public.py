"""``Award.public``: kept by the services from now on; here set once for the awards that are
already public (results published, agreement not declined), then the indexes of the public
project list."""

from django.db import migrations, models


def mark_public(apps, schema_editor):
    Award = apps.get_model("awards", "Award")
    Award.objects.filter(proposal__challenge__results_published_at__isnull=False).exclude(
        agreement__status="declined"
    ).update(public=True)


class Migration(migrations.Migration):
    dependencies = [
        ("awards", "0004_english_twins"),
        ("challenges", "0003_four_eyes_approval_task"),
    ]

    operations = [
        migrations.AddField(
            model_name="award",
            name="public",
            field=models.BooleanField(default=False, editable=False),
        ),
        migrations.RunPython(mark_public, migrations.RunPython.noop),
        migrations.AddIndex(
            model_name="award",
            index=models.Index(
                condition=models.Q(("public", True)),
                fields=["-awarded_at", "-id"],
                name="award_public_newest",
            ),
        ),
        migrations.AddIndex(
            model_name="award",
            index=models.Index(
                condition=models.Q(("public", True)), fields=["amount", "id"], name="award_public_amount"
            ),
        ),
    ]
