"""Commitments of awards whose challenge results are already published become public; the
others stay out of the public ledger until their results are published."""

from django.db import migrations


def disclose_published(apps, schema_editor):
    Award = apps.get_model("awards", "Award")
    Commitment = apps.get_model("payments", "Commitment")
    published = Award.objects.filter(proposal__challenge__results_published_at__isnull=False).values_list(
        "pk", "proposal__challenge__results_published_at"
    )
    for pk, published_at in published:
        Commitment.objects.filter(reference=f"award:{pk}", disclosed_at__isnull=True).update(
            disclosed_at=published_at
        )


class Migration(migrations.Migration):
    dependencies = [
        ("awards", "0001_initial"),
        ("payments", "0006_commitment_disclosed"),
        ("challenges", "0003_four_eyes_approval_task"),
    ]

    operations = [migrations.RunPython(disclose_published, migrations.RunPython.noop)]
