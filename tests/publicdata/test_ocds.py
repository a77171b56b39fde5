"""Open data in the Open Contracting Data Standard 1.1.5: every package served validates against
the official schema (resolved from the copies in the project, no network), records' compiled
releases equal the reference merge (``ocdsmerge``), and nothing of a determination shows before
its results are published."""

from __future__ import annotations

import datetime
import gzip
import json
import time
from pathlib import Path

import ocdsmerge
import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.utils import timezone
from jsonschema import Draft4Validator, FormatChecker
from referencing import Registry, Resource
from referencing.jsonschema import DRAFT4

from config.celery import app as celery_app
from marketplace.awards.services import awards as awards_services
from marketplace.awards.services import determinations
from marketplace.challenges.models import ChallengePage, ChallengeSponsor, Sponsor
from marketplace.finance import services as payout_services
from marketplace.organisations.models import Organisation
from marketplace.publicdata.ocds.releases import ocid_for
from payments.models import Disbursement
from tests import factories

pytestmark = pytest.mark.django_db

SCHEMA_DIR = Path(__file__).resolve().parents[2] / "marketplace/publicdata/ocds/schema/1.1.5"
SCHEMA_URL = "https://standard.open-contracting.org/schema/1__1__5/"
AWARD = 61_234_500_00  # Rp 61.234.500
AWARD_MARKERS = ("61234500", "61.234.500")


def _schema(name: str) -> dict:
    return json.loads((SCHEMA_DIR / name).read_text())


def _registry() -> Registry:
    resources = [
        (SCHEMA_URL + name, Resource.from_contents(_schema(name), default_specification=DRAFT4))
        for name in ("release-schema.json", "release-package-schema.json", "record-package-schema.json")
    ]
    return Registry().with_resources(resources)


REGISTRY = _registry()


def assert_valid(package: dict, schema_name: str) -> None:
    validator = Draft4Validator(_schema(schema_name), registry=REGISTRY, format_checker=FormatChecker())
    errors = sorted(validator.iter_errors(package), key=lambda error: list(error.absolute_path))
    assert errors == [], [f"{list(e.absolute_path)}: {e.message}" for e in errors[:5]]


MERGER = ocdsmerge.Merger(schema=str(SCHEMA_DIR / "dereferenced-release-schema.json"))


def assert_compiled_by_the_reference_merge(record: dict) -> None:
    assert record["compiledRelease"] == MERGER.create_compiled_release(record["releases"])


def get(client: Client, url: str, **params) -> dict:
    response = client.get(url, params)
    assert response.status_code == 200, response.content[:300]
    assert response["Content-Type"].startswith("application/json")
    return response.json()


@pytest.fixture
def project(settings, official, finance):
    """A challenge in a WITA region with a budget allocation, revised after it was published, and
    an award (of an organisation with a NIB) whose results are not yet published."""
    settings.OCDS_PREFIX = "ocds-test01-"
    challenge = factories.challenge(
        officials=[official],
        title="Tantangan antrean puskesmas",
        incentives=(("grant", 80_000_000_00), ("prize", 10_000_000_00)),
    )
    factories.allocation(challenge, finance=finance, amount=90_000_000_00)
    page = ChallengePage.objects.get(pk=challenge.pk)
    page.summary = "Ringkasan yang diperbarui setelah terbit."
    page.eligibility = "<ul><li>Terdaftar di OSS &amp; NIB aktif</li><li>Punya tim</li></ul>"
    sponsor = Sponsor.objects.create(name="PT Mitra CSR Uji", website="https://mitra.example")
    page.sponsors = [ChallengeSponsor(sponsor=sponsor, role="Pendana bersama")]
    page.save_revision().publish()
    owner = factories.UserFactory()
    proposal = factories.proposal_in_review(
        challenge, official=official, owner=owner, title="Antrean daring", amount=AWARD
    )
    Organisation.objects.filter(pk=proposal.organisation_id).update(
        name="Koperasi Digital Sumba", nib="1234567890123"
    )
    award = factories.awarded_proposal(proposal, official=official, amount=AWARD, milestones=2)
    return challenge, award, owner


def test_nothing_of_an_award_shows_before_its_results_are_published(client, project, official):
    challenge, award, _owner = project

    before = client.get("/api/v1/ocds/releases/").content.decode()
    records_before = client.get("/api/v1/ocds/records/").content.decode()

    assert "Tantangan antrean puskesmas" in before
    for body in (before, records_before):
        assert not any(marker in body for marker in AWARD_MARKERS)
        assert f"award-{award.pk}" not in body and "Koperasi Digital Sumba" not in body
        assert '"award"' not in body and '"supplier"' not in body

    factories.publish_results(challenge, official)
    after = get(client, "/api/v1/ocds/releases/")

    awards = [r for r in after["releases"] if "award" in r["tag"]]
    assert [a["awards"][0]["value"] for a in awards] == [{"amount": 61_234_500, "currency": "IDR"}]
    supplier = next(p for p in awards[0]["parties"] if p["roles"] == ["supplier"])
    assert supplier["name"] == "Koperasi Digital Sumba"
    assert supplier["identifier"] == {
        "scheme": "ID-NIB",
        "id": "1234567890123",
        "legalName": "Koperasi Digital Sumba",
    }
    # Dated when the public learnt of it, not when the official decided it.
    published = ChallengePage.objects.get(pk=challenge.pk).results_published_at
    assert datetime.datetime.fromisoformat(awards[0]["date"]) == published.replace(microsecond=0)


def test_a_draft_challenge_never_appears(client, project, official):
    factories.challenge(officials=[official], title="Tantangan draf Zamrud", publish=False)

    assert "Zamrud" not in client.get("/api/v1/ocds/releases/").content.decode()
    assert "Zamrud" not in client.get("/api/v1/ocds/records/").content.decode()


def _deliver(award, owner, official, finance):
    """The grantee accepts, reports the first milestone; the official approves it and finance
    pays it by bank transfer."""
    factories.accept_agreement(award, owner)
    first = award.milestones.order_by("position").first()
    determinations.milestone_report(milestone=first, by=owner, report="Aplikasi dipakai di 3 puskesmas.")
    approved = awards_services.milestone_approve(milestone=first, by=official)
    organisation = award.proposal.organisation
    factories.bank_details_verified(
        organisation,
        owner=owner,
        official=factories.UserFactory(roles=["official"]),
        account_holder=organisation.name,
    )
    disbursement = Disbursement.objects.get(pk=approved.disbursement_id)
    awards_services.disbursement_release(disbursement=disbursement, by=finance)
    proof = SimpleUploadedFile("bukti.pdf", b"%PDF-1.4\n%%EOF\n", content_type="application/pdf")
    payout_services.disbursement_record_paid(
        disbursement=disbursement, by=finance, bank_reference="SP2D-0042", proof=proof
    )
    return disbursement


def test_the_whole_process_validates_and_compiles_as_the_reference_merge(
    client, project, official, finance, private_media
):
    challenge, award, owner = project
    factories.publish_results(challenge, official)
    disbursement = _deliver(award, owner, official, finance)

    package = get(client, "/api/v1/ocds/releases/")
    assert_valid(package, "release-package-schema.json")
    assert package["version"] == "1.1"
    assert package["license"] == "https://creativecommons.org/licenses/by/4.0/"
    ocid = f"ocds-test01-{challenge.agency.region.slug}-{challenge.pk}"
    mine = [r for r in package["releases"] if r["ocid"] == ocid]
    assert [r["tag"] for r in mine] == [
        ["tender"],
        ["planning"],
        ["tenderUpdate"],
        ["tenderUpdate"],
        ["award"],
        ["contract"],
        ["implementation"],
        ["implementation"],
    ]
    assert len({r["id"] for r in mine}) == len(mine)
    # The region's offset (a new test region is in WITA), whole rupiah.
    assert all(r["date"].endswith("+08:00") for r in mine)
    assert mine[1]["planning"]["budget"]["amount"] == {"amount": 90_000_000, "currency": "IDR"}
    tender = mine[0]["tender"]
    assert tender["value"] == {"amount": 90_000_000, "currency": "IDR"}
    assert tender["tenderPeriod"]["endDate"].endswith("+08:00")
    assert tender["awardCriteriaDetails"].splitlines() == ["Dampak (60%)", "Kelayakan (40%)"]
    assert mine[2]["tender"]["description"] == "Ringkasan yang diperbarui setelah terbit."
    assert mine[2]["tender"]["eligibilityCriteria"] == "Terdaftar di OSS & NIB aktif\nPunya tim"
    payment = mine[-1]["contracts"][0]["implementation"]["transactions"][0]
    assert payment["id"] == f"payment-{disbursement.pk}"
    assert payment["value"] == {"amount": disbursement.amount // 100, "currency": "IDR"}
    assert payment["payer"]["id"] == f"agency-{challenge.agency_id}"

    record_package = get(client, f"/api/v1/ocds/records/{ocid}/")
    assert_valid(record_package, "record-package-schema.json")
    (record,) = record_package["records"]
    assert record["releases"] == mine
    assert_compiled_by_the_reference_merge(record)
    compiled = record["compiledRelease"]
    assert compiled["tender"]["status"] == "complete"
    roles = {party["id"]: set(party["roles"]) for party in compiled["parties"]}
    assert roles[f"agency-{challenge.agency_id}"] == {"buyer", "procuringEntity", "payer"}
    assert roles[f"organisation-{award.proposal.organisation_id}"] == {"supplier", "payee"}
    (funder,) = [party for party in compiled["parties"] if party["roles"] == ["funder"]]
    assert funder["name"] == "PT Mitra CSR Uji"
    statuses = [m["status"] for m in compiled["contracts"][0]["milestones"]]
    assert statuses == ["met", "scheduled"]

    records = get(client, "/api/v1/ocds/records/")
    assert_valid(records, "record-package-schema.json")
    for each in records["records"]:
        assert_compiled_by_the_reference_merge(each)

    # The same state gives the same releases.
    assert get(client, "/api/v1/ocds/releases/")["releases"] == package["releases"]


def test_an_award_declined_after_publication_is_cancelled_and_a_replan_updates_the_contract(
    client, project, official
):
    challenge, award, owner = project
    factories.publish_results(challenge, official)
    determinations.agreement_decline(agreement=award.agreement, by=owner, reason="Tim tidak tersedia.")

    package = get(client, "/api/v1/ocds/releases/")
    assert_valid(package, "release-package-schema.json")
    cancelled = [r for r in package["releases"] if r["tag"] == ["awardUpdate"]]
    assert [r["awards"][0]["status"] for r in cancelled] == ["cancelled"]
    (record,) = get(client, f"/api/v1/ocds/records/{cancelled[0]['ocid']}/")["records"]
    assert_compiled_by_the_reference_merge(record)
    assert record["compiledRelease"]["awards"][0]["status"] == "cancelled"


def test_a_replan_after_acceptance_is_a_contract_update(client, project, official):
    challenge, award, owner = project
    factories.publish_results(challenge, official)
    factories.accept_agreement(award, owner)
    first, second = award.milestones.order_by("position")
    later = second.due_date + datetime.timedelta(days=14)
    awards_services_changes = [
        determinations.MilestoneChange(milestone_id=first.pk, due_date=first.due_date, amount=first.amount),
        determinations.MilestoneChange(milestone_id=second.pk, due_date=later, amount=second.amount),
    ]
    determinations.milestones_replan(
        award=award, by=official, changes=awards_services_changes, reason="Hujan."
    )

    package = get(client, "/api/v1/ocds/releases/")
    assert_valid(package, "release-package-schema.json")
    contract, update = [r for r in package["releases"] if r["tag"][0].startswith("contract")]
    assert update["tag"] == ["contractUpdate"]
    assert contract["contracts"][0]["milestones"][1]["dueDate"].startswith(second.due_date.isoformat())
    assert update["contracts"][0]["milestones"][1]["dueDate"].startswith(later.isoformat())
    (record,) = get(client, f"/api/v1/ocds/records/{update['ocid']}/")["records"]
    assert_compiled_by_the_reference_merge(record)


def test_publishing_an_older_revision_again_is_a_new_tender_update(client, project):
    challenge, _award, _owner = project
    page = ChallengePage.objects.get(pk=challenge.pk)
    first = page.revisions.order_by("pk").first()

    first.publish()

    (record,) = get(client, f"/api/v1/ocds/records/{ocid_for(page)}/")["records"]
    tenders = [r for r in record["releases"] if "tender" in r]
    descriptions = [r["tender"].get("description") for r in tenders]
    assert descriptions == [challenge.summary, "Ringkasan yang diperbarui setelah terbit.", challenge.summary]
    assert len({r["id"] for r in record["releases"]}) == len(record["releases"])
    assert_compiled_by_the_reference_merge(record)
    assert record["compiledRelease"]["tender"]["description"] == challenge.summary


def test_since_keeps_the_releases_dated_at_or_after_it(client, project):
    challenge, _award, _owner = project
    every = get(client, "/api/v1/ocds/releases/")["releases"]
    time.sleep(1.1)  # release dates are to the second
    cut = timezone.now().replace(microsecond=0)
    page = ChallengePage.objects.get(pk=challenge.pk)
    page.summary = "Diperbarui lagi."
    page.save_revision().publish()

    later = get(client, "/api/v1/ocds/releases/", since=cut.isoformat())["releases"]

    assert [(r["tag"], r["tender"]["description"]) for r in later] == [(["tenderUpdate"], "Diperbarui lagi.")]
    assert get(client, "/api/v1/ocds/releases/", since="2000-01-01")["releases"][: len(every)] == every
    assert client.get("/api/v1/ocds/releases/", {"since": "kemarin"}).status_code == 400
    # Nothing since: a valid package cannot be empty, but the answer says so plainly.
    assert get(client, "/api/v1/ocds/releases/", since="2999-01-01")["releases"] == []


def test_pages_follow_links_next_and_queries_do_not_grow(
    client, settings, official, django_assert_max_num_queries
):
    settings.OCDS_PAGE_SIZE = 3
    region = factories.region()
    agency = factories.agency(region, officials=[official])
    made = [factories.challenge(agency_obj=agency) for _ in range(4)]

    with CaptureQueriesContext(connection) as few:
        first = get(client, "/api/v1/ocds/releases/")
    queries = len(few.captured_queries)
    assert queries <= 12
    seen = {release["ocid"] for release in first["releases"]}
    url = first["links"]["next"]
    second = get(client, url)
    assert "links" not in second
    seen |= {release["ocid"] for release in second["releases"]}
    assert len(seen) == 4
    assert_valid(second, "release-package-schema.json")

    settings.OCDS_PAGE_SIZE = 50
    for _ in range(8):
        factories.challenge(agency_obj=agency)
    with django_assert_max_num_queries(queries):
        big = get(client, "/api/v1/ocds/releases/")
    assert len({release["ocid"] for release in big["releases"]}) == 12
    with django_assert_max_num_queries(queries):
        get(client, "/api/v1/ocds/records/")
    assert made


def test_an_unknown_ocid_is_404(client, project):
    challenge, _award, _owner = project
    assert client.get("/api/v1/ocds/records/ocds-test01-nowhere-999999/").status_code == 404
    assert client.get("/api/v1/ocds/records/not-an-ocid/").status_code == 404
    # The right id under another region's name is not this process either.
    assert client.get(f"/api/v1/ocds/records/ocds-test01-elsewhere-{challenge.pk}/").status_code == 404


def test_the_bulk_files_hold_every_release_and_are_served(client, settings, tmp_path, project, official):
    settings.OCDS_BULK_ROOT = tmp_path / "ocds"
    assert client.get("/api/v1/ocds/bulk/releases.json").status_code == 404
    challenge, _award, _owner = project
    factories.publish_results(challenge, official)

    call_command("ocds_bulk", "--base-url", "http://testserver")

    releases = json.loads(b"".join(client.get("/api/v1/ocds/bulk/releases.json").streaming_content))
    assert_valid(releases, "release-package-schema.json")
    assert releases["releases"] == get(client, "/api/v1/ocds/releases/")["releases"]
    records = json.loads(gzip.decompress((tmp_path / "ocds" / "records.json.gz").read_bytes()))
    assert_valid(records, "record-package-schema.json")
    for record in records["records"]:
        assert_compiled_by_the_reference_merge(record)
    assert client.get("/api/v1/ocds/bulk/secrets.json").status_code == 404
    # The daily task, as beat names it, writes the same bytes for the same data.
    first = (tmp_path / "ocds" / "releases.json").read_bytes()
    settings.WAGTAILADMIN_BASE_URL = "http://testserver"
    celery_app.loader.import_default_modules()
    task = celery_app.tasks[settings.CELERY_BEAT_SCHEDULE["write-ocds-bulk"]["task"]]
    assert task.delay().get() == {"releases": len(releases["releases"]), "records": len(records["records"])}
    assert (tmp_path / "ocds" / "releases.json").read_bytes() == first


def test_the_api_schema_lists_the_ocds_endpoints(client):
    response = client.get("/api/v1/schema/")
    assert response.status_code == 200
    body = response.content.decode()
    for path in ("/api/v1/ocds/releases/", "/api/v1/ocds/records/", "/api/v1/ocds/records/{ocid}/"):
        assert path in body


def test_a_challenge_is_dated_in_its_own_timezone(client, settings, official):
    settings.OCDS_PREFIX = "ocds-test01-"
    papua = factories.region(timezone_name="Asia/Jayapura")
    challenge = factories.challenge(region_page=papua, officials=[official])
    releases = get(client, "/api/v1/ocds/releases/")["releases"]
    (tender,) = [r for r in releases if r["ocid"].endswith(f"-{challenge.pk}")]
    assert tender["date"].endswith("+09:00")
    assert tender["ocid"] == f"ocds-test01-{papua.slug}-{challenge.pk}"
