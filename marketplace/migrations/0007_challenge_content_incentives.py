from django.conf import settings
from django.db import migrations, models
import django.core.validators
import django.db.models.deletion
import django.utils.timezone
import modelcluster.fields
import wagtail.fields


class Migration(migrations.Migration):

    dependencies = [
        ('marketplace', '0006_proposal_parts_and_states'),
        ('wagtaildocs', '0014_alter_document_file_size'),
        ('wagtailimages', '0027_image_description'),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.CreateModel(
            name='Beneficiary',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('name', models.CharField(max_length=150, verbose_name='name')),
                ('name_en', models.CharField(blank=True, max_length=150, verbose_name='name (English)')),
                ('slug', models.SlugField(unique=True)),
            ],
            options={
                'verbose_name': 'target beneficiary',
                'verbose_name_plural': 'target beneficiaries',
                'ordering': ['name'],
            },
        ),
        migrations.CreateModel(
            name='SDGTag',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('name', models.CharField(max_length=150, verbose_name='name')),
                ('name_en', models.CharField(blank=True, max_length=150, verbose_name='name (English)')),
                ('number', models.PositiveSmallIntegerField(unique=True, validators=[django.core.validators.MinValueValidator(1), django.core.validators.MaxValueValidator(17)], verbose_name='number')),
            ],
            options={
                'verbose_name': 'SDG tag',
                'verbose_name_plural': 'SDG tags',
                'ordering': ['number'],
            },
        ),
        migrations.AlterModelOptions(
            name='incentive',
            options={'ordering': ['sort_order'], 'verbose_name': 'incentive', 'verbose_name_plural': 'incentives'},
        ),
        migrations.AddField(
            model_name='challengepage',
            name='award_on',
            field=models.DateField(blank=True, null=True, verbose_name='winners announced on'),
        ),
        migrations.AddField(
            model_name='challengepage',
            name='contact_email',
            field=models.EmailField(blank=True, max_length=254, verbose_name='contact email'),
        ),
        migrations.AddField(
            model_name='challengepage',
            name='contact_name',
            field=models.CharField(blank=True, max_length=150, verbose_name='contact person'),
        ),
        migrations.AddField(
            model_name='challengepage',
            name='contact_phone',
            field=models.CharField(blank=True, max_length=30, verbose_name='contact phone'),
        ),
        migrations.AddField(
            model_name='challengepage',
            name='delivery_ends_on',
            field=models.DateField(blank=True, null=True, verbose_name='delivery ends on'),
        ),
        migrations.AddField(
            model_name='challengepage',
            name='districts',
            field=models.TextField(blank=True, help_text='Kecamatan or desa where the solution will be used, one per line.', verbose_name='districts and villages'),
        ),
        migrations.AddField(
            model_name='challengepage',
            name='expected_outcomes',
            field=wagtail.fields.RichTextField(blank=True, verbose_name='expected outcomes'),
        ),
        migrations.AddField(
            model_name='challengepage',
            name='other_sectors',
            field=modelcluster.fields.ParentalManyToManyField(blank=True, related_name='secondary_challenges', to='marketplace.sector', verbose_name='other sectors'),
        ),
        migrations.AddField(
            model_name='challengepage',
            name='review_ends_on',
            field=models.DateField(blank=True, null=True, verbose_name='review ends on'),
        ),
        migrations.AddField(
            model_name='incentive',
            name='duration_months',
            field=models.PositiveSmallIntegerField(blank=True, null=True, validators=[django.core.validators.MinValueValidator(1)], verbose_name='duration (months)'),
        ),
        migrations.AddField(
            model_name='incentive',
            name='expires_on',
            field=models.DateField(blank=True, null=True, verbose_name='offer expires on'),
        ),
        migrations.AddField(
            model_name='incentive',
            name='levy_name',
            field=models.CharField(blank=True, help_text='For example: retribusi pasar.', max_length=150, verbose_name='levy'),
        ),
        migrations.AddField(
            model_name='incentive',
            name='provider_name',
            field=models.CharField(blank=True, help_text='When the provider is not a sponsor.', max_length=200, verbose_name='provided by (other)'),
        ),
        migrations.AddField(
            model_name='incentive',
            name='quantity',
            field=models.PositiveIntegerField(blank=True, help_text='The capacity offered.', null=True, validators=[django.core.validators.MinValueValidator(1)], verbose_name='quantity'),
        ),
        migrations.AddField(
            model_name='incentive',
            name='relief',
            field=models.CharField(blank=True, help_text='For example: 50% for 12 months.', max_length=200, verbose_name='relief'),
        ),
        migrations.AddField(
            model_name='incentive',
            name='unit',
            field=models.CharField(blank=True, help_text='For example: mentoring hours, USD cloud credits, co-working seats, training places.', max_length=60, verbose_name='unit'),
        ),
        migrations.AddField(
            model_name='incentive',
            name='winners',
            field=models.PositiveSmallIntegerField(default=1, help_text='Grant or prize.', validators=[django.core.validators.MinValueValidator(1)], verbose_name='number of winners'),
        ),
        migrations.AlterField(
            model_name='challengepage',
            name='body',
            field=wagtail.fields.StreamField([('heading', 0), ('paragraph', 1), ('quote', 2), ('image', 5), ('document', 8), ('table', 9)], blank=True, block_lookup={0: ('wagtail.blocks.CharBlock', (), {'label': 'Heading'}), 1: ('wagtail.blocks.RichTextBlock', (), {'features': ['h3', 'h4', 'bold', 'italic', 'ol', 'ul', 'link'], 'label': 'Paragraph'}), 2: ('wagtail.blocks.BlockQuoteBlock', (), {'label': 'Quote'}), 3: ('wagtail.images.blocks.ImageChooserBlock', (), {'label': 'Image'}), 4: ('wagtail.blocks.CharBlock', (), {'label': 'Caption', 'required': False}), 5: ('wagtail.blocks.StructBlock', [[('image', 3), ('caption', 4)]], {'icon': 'image', 'label': 'Image'}), 6: ('wagtail.documents.blocks.DocumentChooserBlock', (), {'label': 'Document'}), 7: ('wagtail.blocks.CharBlock', (), {'label': 'Link text', 'required': False}), 8: ('wagtail.blocks.StructBlock', [[('document', 6), ('title', 7)]], {'icon': 'doc-full', 'label': 'Document'}), 9: ('wagtail.contrib.table_block.blocks.TableBlock', (), {'label': 'Data table'})}, verbose_name='problem statement and context'),
        ),
        migrations.AlterField(
            model_name='incentive',
            name='amount',
            field=models.BigIntegerField(default=0, help_text="Grant or prize: the total amount; pilot contract: its value; in-kind or levy relief: an estimated value, if known. In the currency's minor unit: Rp 1.000.000 is 100000000.", validators=[django.core.validators.MinValueValidator(0)], verbose_name='amount or value (minor units)'),
        ),
        migrations.AddField(
            model_name='challengepage',
            name='beneficiaries',
            field=modelcluster.fields.ParentalManyToManyField(blank=True, related_name='challenges', to='marketplace.beneficiary', verbose_name='target beneficiaries'),
        ),
        migrations.CreateModel(
            name='ChallengeDocument',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('sort_order', models.IntegerField(blank=True, editable=False, null=True)),
                ('title', models.CharField(blank=True, help_text="Empty: the document's title.", max_length=200, verbose_name='title')),
                ('challenge', modelcluster.fields.ParentalKey(on_delete=django.db.models.deletion.CASCADE, related_name='attachments', to='marketplace.challengepage')),
                ('document', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='+', to='wagtaildocs.document')),
            ],
            options={
                'verbose_name': 'attachment',
                'verbose_name_plural': 'attachments',
                'ordering': ['sort_order'],
                'abstract': False,
            },
        ),
        migrations.CreateModel(
            name='InKindDrawdown',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('quantity', models.PositiveIntegerField(validators=[django.core.validators.MinValueValidator(1)], verbose_name='quantity')),
                ('created_at', models.DateTimeField(default=django.utils.timezone.now)),
                ('award', models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='in_kind_drawdowns', to='marketplace.award')),
                ('created_by', models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='+', to=settings.AUTH_USER_MODEL)),
                ('incentive', models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='drawdowns', to='marketplace.incentive')),
            ],
            options={
                'verbose_name': 'in-kind draw-down',
                'verbose_name_plural': 'in-kind draw-downs',
                'ordering': ['created_at', 'pk'],
            },
        ),
        migrations.AddField(
            model_name='challengepage',
            name='sdg_tags',
            field=modelcluster.fields.ParentalManyToManyField(blank=True, related_name='challenges', to='marketplace.sdgtag', verbose_name='Sustainable Development Goals'),
        ),
        migrations.CreateModel(
            name='Sponsor',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('name', models.CharField(max_length=200, unique=True, verbose_name='name')),
                ('website', models.URLField(blank=True, verbose_name='website')),
                ('logo', models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='+', to='wagtailimages.image', verbose_name='logo')),
            ],
            options={
                'verbose_name': 'sponsor',
                'verbose_name_plural': 'sponsors',
                'ordering': ['name'],
            },
        ),
        migrations.CreateModel(
            name='ChallengeSponsor',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('sort_order', models.IntegerField(blank=True, editable=False, null=True)),
                ('role', models.CharField(blank=True, help_text='For example: co-funder, provides cloud credits.', max_length=150, verbose_name='role')),
                ('challenge', modelcluster.fields.ParentalKey(on_delete=django.db.models.deletion.CASCADE, related_name='sponsors', to='marketplace.challengepage')),
                ('sponsor', models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='challenge_links', to='marketplace.sponsor')),
            ],
            options={
                'verbose_name': 'sponsor',
                'verbose_name_plural': 'sponsors',
                'ordering': ['sort_order'],
                'abstract': False,
            },
        ),
        migrations.AddField(
            model_name='incentive',
            name='provider',
            field=models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.PROTECT, related_name='in_kind_offers', to='marketplace.sponsor', verbose_name='provided by (sponsor)'),
        ),
    ]
