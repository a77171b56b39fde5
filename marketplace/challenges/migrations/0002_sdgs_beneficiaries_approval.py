"""The 17 SDGs (Indonesian and English), a starter list of target beneficiaries, and the
approval workflow every region's challenges go through.
Each region is assigned the workflow and gets its own officials' group through
``marketplace.challenges.services.challenges.region_setup_permissions``."""

from django.db import migrations

SDGS = [
    (1, "Tanpa Kemiskinan", "No Poverty"),
    (2, "Tanpa Kelaparan", "Zero Hunger"),
    (3, "Kehidupan Sehat dan Sejahtera", "Good Health and Well-being"),
    (4, "Pendidikan Berkualitas", "Quality Education"),
    (5, "Kesetaraan Gender", "Gender Equality"),
    (6, "Air Bersih dan Sanitasi Layak", "Clean Water and Sanitation"),
    (7, "Energi Bersih dan Terjangkau", "Affordable and Clean Energy"),
    (8, "Pekerjaan Layak dan Pertumbuhan Ekonomi", "Decent Work and Economic Growth"),
    (9, "Industri, Inovasi dan Infrastruktur", "Industry, Innovation and Infrastructure"),
    (10, "Berkurangnya Kesenjangan", "Reduced Inequalities"),
    (11, "Kota dan Permukiman yang Berkelanjutan", "Sustainable Cities and Communities"),
    (12, "Konsumsi dan Produksi yang Bertanggung Jawab", "Responsible Consumption and Production"),
    (13, "Penanganan Perubahan Iklim", "Climate Action"),
    (14, "Ekosistem Lautan", "Life Below Water"),
    (15, "Ekosistem Daratan", "Life on Land"),
    (16, "Perdamaian, Keadilan dan Kelembagaan yang Tangguh", "Peace, Justice and Strong Institutions"),
    (17, "Kemitraan untuk Mencapai Tujuan", "Partnerships for the Goals"),
]

BENEFICIARIES = [
    ("desa", "Warga desa", "Villagers"),
    ("desa-terpencil", "Desa terpencil", "Remote villages"),
    ("pedagang-pasar", "Pedagang pasar", "Market traders"),
    ("pasien", "Pasien", "Patients"),
    ("umkm", "Pelaku UMKM", "Small business owners"),
    ("petani", "Petani", "Farmers"),
    ("nelayan", "Nelayan", "Fishers"),
    ("pelajar", "Pelajar", "Students"),
    ("perempuan", "Perempuan", "Women"),
    ("lansia", "Warga lanjut usia", "Elderly people"),
    ("penyandang-disabilitas", "Penyandang disabilitas", "People with disabilities"),
    ("aparatur-desa", "Aparatur desa", "Village officials"),
]

AGENCY_HEAD_GROUP = "agency_head"
WORKFLOW_NAME = "Persetujuan kepala OPD"


def seed(apps, schema_editor):
    SDGTag = apps.get_model("challenges", "SDGTag")
    Beneficiary = apps.get_model("challenges", "Beneficiary")
    for number, name, name_en in SDGS:
        SDGTag.objects.update_or_create(number=number, defaults={"name": name, "name_en": name_en})
    for slug, name, name_en in BENEFICIARIES:
        Beneficiary.objects.get_or_create(slug=slug, defaults={"name": name, "name_en": name_en})

    Group = apps.get_model("auth.Group")
    ContentType = apps.get_model("contenttypes.ContentType")
    head = Group.objects.get(name=AGENCY_HEAD_GROUP)  # created by core's roles migration

    Workflow = apps.get_model("wagtailcore.Workflow")
    WorkflowTask = apps.get_model("wagtailcore.WorkflowTask")
    WorkflowPage = apps.get_model("wagtailcore.WorkflowPage")
    GroupApprovalTask = apps.get_model("wagtailcore.GroupApprovalTask")
    RegionPage = apps.get_model("challenges.RegionPage")
    task_type, _ = ContentType.objects.get_or_create(app_label="wagtailcore", model="groupapprovaltask")
    task = GroupApprovalTask.objects.filter(name=WORKFLOW_NAME).first()
    if task is None:
        task = GroupApprovalTask.objects.create(name=WORKFLOW_NAME, content_type=task_type, active=True)
    task.groups.add(head)
    workflow, _ = Workflow.objects.get_or_create(name=WORKFLOW_NAME, defaults={"active": True})
    WorkflowTask.objects.get_or_create(workflow=workflow, task=task, defaults={"sort_order": 0})
    for region in RegionPage.objects.all():
        WorkflowPage.objects.update_or_create(page_id=region.pk, defaults={"workflow": workflow})


class Migration(migrations.Migration):
    dependencies = [
        ("challenges", "0001_initial"),
        ("core", "0002_roles"),
        ("wagtailcore", "0098_apitoken"),
        ("contenttypes", "0002_remove_content_type_name"),
    ]
    operations = [migrations.RunPython(seed, migrations.RunPython.noop)]
