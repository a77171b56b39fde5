import django.core.validators
import django.db.models.deletion
import django.utils.timezone
import marketplace.proposal_attachments
from django.conf import settings
from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("marketplace", "0005_qa_questions_partners"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.AddField(
            model_name="proposal",
            name="changes_requested_note",
            field=models.TextField(blank=True, editable=False),
        ),
        migrations.AddField(
            model_name="proposal",
            name="inclusion",
            field=models.TextField(
                blank=True,
                help_text="Who benefits, and how the solution reaches women, elderly people, people with disabilities and remote villages (for example offline use, local languages, low-cost phones).",
                max_length=5000,
                verbose_name="how it serves the target beneficiaries",
            ),
        ),
        migrations.AddField(
            model_name="proposal",
            name="problem",
            field=models.TextField(
                blank=True,
                help_text="What causes the problem today, and for whom.",
                max_length=5000,
                verbose_name="understanding of the problem",
            ),
        ),
        migrations.AddField(
            model_name="proposal",
            name="solution",
            field=models.TextField(
                blank=True,
                help_text="What you will build or do, and why it will work here.",
                max_length=8000,
                verbose_name="proposed solution",
            ),
        ),
        migrations.AddField(
            model_name="proposal",
            name="updated_at",
            field=models.DateTimeField(default=django.utils.timezone.now, editable=False),
        ),
        migrations.AlterField(
            model_name="proposal",
            name="plan",
            field=models.TextField(
                blank=True,
                help_text="How the work is organised; list the milestones below.",
                max_length=8000,
                verbose_name="implementation plan",
            ),
        ),
        migrations.AlterField(
            model_name="proposal",
            name="status",
            field=models.CharField(
                choices=[
                    ("draft", "Draft"),
                    ("submitted", "Submitted"),
                    ("changes_requested", "Changes requested"),
                    ("screening", "Screening"),
                    ("in_review", "In review"),
                    ("shortlisted", "Shortlisted"),
                    ("withdrawn", "Withdrawn"),
                    ("awarded", "Awarded"),
                    ("rejected", "Not selected"),
                ],
                default="draft",
                editable=False,
                max_length=20,
            ),
        ),
        migrations.AlterField(
            model_name="proposal",
            name="summary",
            field=models.TextField(
                blank=True,
                help_text="A few sentences anyone can understand. Published if the proposal is funded.",
                max_length=2000,
                verbose_name="summary",
            ),
        ),
        migrations.CreateModel(
            name="BudgetLine",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                ("position", models.PositiveSmallIntegerField(default=0)),
                (
                    "category",
                    models.CharField(
                        choices=[
                            ("personnel", "Personnel and honoraria"),
                            ("equipment", "Equipment and devices"),
                            ("software", "Software, hosting and connectivity"),
                            ("training", "Training and community outreach"),
                            ("travel", "Travel and logistics"),
                            ("operations", "Operations and maintenance"),
                            ("other", "Other"),
                        ],
                        max_length=20,
                        verbose_name="category",
                    ),
                ),
                ("description", models.CharField(max_length=300, verbose_name="description")),
                (
                    "amount",
                    models.BigIntegerField(
                        validators=[django.core.validators.MinValueValidator(1)],
                        verbose_name="amount (minor units)",
                    ),
                ),
                (
                    "proposal",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="budget_lines",
                        to="marketplace.proposal",
                    ),
                ),
            ],
            options={
                "verbose_name": "budget line",
                "ordering": ["proposal", "position", "pk"],
            },
        ),
        migrations.CreateModel(
            name="PlannedMilestone",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                ("position", models.PositiveSmallIntegerField(default=0)),
                ("deliverable", models.CharField(max_length=300, verbose_name="deliverable")),
                ("due_date", models.DateField(verbose_name="due date")),
                (
                    "amount",
                    models.BigIntegerField(
                        validators=[django.core.validators.MinValueValidator(1)],
                        verbose_name="amount (minor units)",
                    ),
                ),
                (
                    "proposal",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="planned_milestones",
                        to="marketplace.proposal",
                    ),
                ),
            ],
            options={
                "verbose_name": "planned milestone",
                "ordering": ["proposal", "position", "due_date", "pk"],
            },
        ),
        migrations.CreateModel(
            name="ProposalAttachment",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                (
                    "file",
                    models.FileField(
                        max_length=200,
                        storage=marketplace.proposal_attachments.PrivateStorage(),
                        upload_to=marketplace.proposal_attachments.attachment_path,
                    ),
                ),
                ("display_name", models.CharField(max_length=120, verbose_name="file name")),
                ("content_type", models.CharField(max_length=100)),
                ("size", models.PositiveBigIntegerField()),
                ("sha256", models.CharField(max_length=64)),
                ("uploaded_at", models.DateTimeField(auto_now_add=True)),
                ("removed_at", models.DateTimeField(blank=True, null=True)),
                (
                    "proposal",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="attachments",
                        to="marketplace.proposal",
                    ),
                ),
                (
                    "uploaded_by",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="+",
                        to=settings.AUTH_USER_MODEL,
                    ),
                ),
            ],
            options={
                "verbose_name": "attachment",
                "ordering": ["proposal", "uploaded_at", "pk"],
            },
        ),
        migrations.CreateModel(
            name="TeamMember",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                ("position", models.PositiveSmallIntegerField(default=0)),
                ("name", models.CharField(max_length=200, verbose_name="name")),
                ("role", models.CharField(max_length=200, verbose_name="role in the project")),
                ("expertise", models.CharField(blank=True, max_length=300, verbose_name="expertise")),
                (
                    "proposal",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="team_members",
                        to="marketplace.proposal",
                    ),
                ),
            ],
            options={
                "verbose_name": "team member",
                "ordering": ["proposal", "position", "pk"],
            },
        ),
        migrations.CreateModel(
            name="ProposalAnswer",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                ("text", models.TextField(blank=True, max_length=5000, verbose_name="answer")),
                (
                    "proposal",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="answers",
                        to="marketplace.proposal",
                    ),
                ),
                (
                    "question",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="answers",
                        to="marketplace.applicationquestion",
                    ),
                ),
            ],
            options={
                "constraints": [
                    models.UniqueConstraint(fields=("proposal", "question"), name="proposal_answer_unique")
                ],
            },
        ),
        migrations.CreateModel(
            name="ProposalPartner",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                ("role", models.CharField(max_length=300, verbose_name="role in the consortium")),
                (
                    "budget_share",
                    models.BigIntegerField(
                        default=0,
                        validators=[django.core.validators.MinValueValidator(0)],
                        verbose_name="budget share (minor units)",
                    ),
                ),
                (
                    "status",
                    models.CharField(
                        choices=[("invited", "Invited"), ("accepted", "Accepted"), ("declined", "Declined")],
                        default="invited",
                        editable=False,
                        max_length=10,
                    ),
                ),
                ("invited_at", models.DateTimeField(auto_now_add=True)),
                ("responded_at", models.DateTimeField(blank=True, null=True)),
                (
                    "invited_by",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="+",
                        to=settings.AUTH_USER_MODEL,
                    ),
                ),
                (
                    "organisation",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="proposal_partnerships",
                        to="marketplace.organisation",
                    ),
                ),
                (
                    "proposal",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="partners",
                        to="marketplace.proposal",
                    ),
                ),
                (
                    "responded_by",
                    models.ForeignKey(
                        blank=True,
                        null=True,
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="+",
                        to=settings.AUTH_USER_MODEL,
                    ),
                ),
            ],
            options={
                "verbose_name": "consortium partner",
                "ordering": ["proposal", "invited_at", "pk"],
                "constraints": [
                    models.UniqueConstraint(
                        fields=("proposal", "organisation"), name="proposal_partner_unique"
                    )
                ],
            },
        ),
        migrations.CreateModel(
            name="ProposalVersion",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                ("number", models.PositiveIntegerField()),
                ("data", models.JSONField()),
                ("submitted_at", models.DateTimeField()),
                (
                    "proposal",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="versions",
                        to="marketplace.proposal",
                    ),
                ),
                (
                    "submitted_by",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="+",
                        to=settings.AUTH_USER_MODEL,
                    ),
                ),
            ],
            options={
                "verbose_name": "submitted version",
                "ordering": ["proposal", "number"],
                "constraints": [
                    models.UniqueConstraint(fields=("proposal", "number"), name="proposal_version_unique")
                ],
            },
        ),
    ]
