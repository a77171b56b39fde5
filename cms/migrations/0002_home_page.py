"""Replace Wagtail's welcome page with our home page and point the default site at it."""

from django.db import migrations


def create_home(apps, schema_editor):
    ContentType = apps.get_model("contenttypes.ContentType")
    Page = apps.get_model("wagtailcore.Page")
    Site = apps.get_model("wagtailcore.Site")
    HomePage = apps.get_model("cms.HomePage")
    Locale = apps.get_model("wagtailcore.Locale")

    Page.objects.filter(depth=2, slug="home").delete()
    home_type, _ = ContentType.objects.get_or_create(model="homepage", app_label="cms")
    locale = Locale.objects.get_or_create(language_code="id")[0]
    root = Page.objects.get(depth=1)
    home = HomePage.objects.create(
        title="Pasar Tantangan Daerah", draft_title="Pasar Tantangan Daerah", slug="home",
        content_type=home_type, path=f"{root.path}0001", depth=2, numchild=0, url_path="/home/",
        locale=locale, live=True,
        intro="Pemerintah daerah memasang tantangan layanan publik; startup, UMKM, kampus dan komunitas "
              "mengusulkan solusi; setiap rupiah tercatat terbuka.",
        intro_en="Regional governments post public-service challenges; startups, SMEs, universities and "
                 "communities propose solutions; every rupiah is on the open record.",
    )
    root.numchild = 1
    root.save(update_fields=["numchild"])
    Site.objects.update_or_create(is_default_site=True, defaults={
        "hostname": "localhost", "port": 80, "root_page": home, "site_name": "Pasar Tantangan Daerah"})


class Migration(migrations.Migration):
    dependencies = [("cms", "0001_initial"), ("wagtailcore", "0098_apitoken")]
    operations = [migrations.RunPython(create_home, migrations.RunPython.noop)]
