"""The JSON API as its users meet it: money written the OCDS way next to the stored minor units,
a schema that says what the API takes and answers, and a documentation page."""

import re

import pytest
from django.conf import settings
from django.contrib.staticfiles import finders

from core.money import major_units
from marketplace.awards.models import Milestone
from marketplace.challenges.models.challenges import ChallengePage
from marketplace.organisations.models.organisations import Organisation
from payments import ledger
from payments.models import Account, Transaction
from tests import factories
from tests.search.test_search_page import index_everything

pytestmark = pytest.mark.django_db


# --- Money: {"amount": whole rupiah, "currency": "IDR"} next to each minor-unit amount -----------


def _rupiah(amount) -> dict:
    return {"amount": amount, "currency": "IDR"}


@pytest.fixture
def funded_project(official, finance, owner):
    challenge = factories.challenge(
        officials=[official], incentives=(("grant", 70_000_000_00), ("prize", 5_000_000_00))
    )
    factories.allocation(challenge, finance=finance, amount=100_000_000_00)
    proposal = factories.submitted_proposal(challenge_page=challenge, owner=owner, amount=70_000_000_00)
    award = factories.awarded_proposal(proposal, official=official, amount=70_000_000_00, milestones=3)
    factories.publish_results(challenge, official)
    return award


def test_every_amount_has_its_ocds_value_in_whole_rupiah(client, funded_project):
    award = funded_project
    [challenge] = client.get("/api/v1/challenges/").json()["results"]
    assert [(i["amount"], i["amount_value"]) for i in challenge["incentives"]] == [
        (70_000_000_00, _rupiah(70_000_000)),
        (5_000_000_00, _rupiah(5_000_000)),
    ]
    assert challenge["incentive_total"] == 75_000_000_00
    assert challenge["incentive_total_value"] == _rupiah(75_000_000)

    [project] = client.get("/api/v1/projects/").json()["results"]
    assert project["id"] == award.pk
    assert project["amount_awarded"] == 70_000_000_00
    assert project["amount_awarded_value"] == _rupiah(70_000_000)
    assert project["amount_disbursed"] == 0 and project["amount_disbursed_value"] == _rupiah(0)
    # 70.000.000 in three: two of 23.333.333,33 and the last takes the rest; sen stay exact.
    assert [(m["amount"], m["amount_value"]["amount"]) for m in project["milestones"]] == [
        (23_333_333_33, 23333333.33),
        (23_333_333_33, 23333333.33),
        (23_333_333_34, 23333333.34),
    ]

    entries = client.get("/api/v1/ledger/", {"kind": "allocation"}).json()["results"]
    assert sorted((e["amount"], e["amount_value"]["amount"]) for e in entries) == [
        (-100_000_000_00, -100_000_000),
        (100_000_000_00, 100_000_000),
    ]
    assert {e["amount_value"]["currency"] for e in entries} == {"IDR"}

    index_everything()
    hits = client.get("/api/v1/search/", {"type": "challenge"}).json()["results"]
    assert [(h["amount"], h["amount_value"]) for h in hits] == [(75_000_000_00, _rupiah(75_000_000))]


def test_an_amount_with_sen_keeps_them_exactly(client, funded_project):
    """A provider's fee of Rp 2.550,50 is 2550.5 rupiah, not rounded either way."""
    fund = Transaction.objects.get(kind=Transaction.Kind.ALLOCATION).fund
    fees = ledger.account("fees:test", name="Biaya", kind=Account.Kind.FEES)
    ledger.post(
        kind=Transaction.Kind.FEE,
        fund=fund,
        description="Biaya layanan",
        idempotency_key="fee:sen",
        legs=[(fees, 2_550_50), (ledger.fund_cash_account(fund), -2_550_50)],
    )

    entries = client.get("/api/v1/ledger/", {"kind": "fee"}).json()["results"]
    assert sorted(e["amount_value"]["amount"] for e in entries) == [-2550.5, 2550.5]
    assert major_units(2_550_50) * 100 == 2_550_50 and major_units(-2_550_50) * 100 == -2_550_50


def test_ledger_filters_refuse_values_they_do_not_know(client, funded_project):
    assert client.get("/api/v1/ledger/", {"kind": "bribe"}).status_code == 400
    assert client.get("/api/v1/ledger/", {"challenge": "abc"}).status_code == 400
    challenge = funded_project.proposal.challenge_id
    entries = client.get("/api/v1/ledger/", {"challenge": challenge}).json()["results"]
    assert entries and {e["challenge"] for e in entries} == {challenge}


def test_unknown_api_addresses_answer_json(client):
    for path in ["/api/v1/projects/1.5/", "/api/v1/organisations/a.b/", "/api/v1/nothing/"]:
        response = client.get(path)
        assert response.status_code == 404, path
        assert response["Content-Type"] == "application/json" and "detail" in response.json()


# --- The schema says what the API takes and answers --------------------------------------------


@pytest.fixture
def schema(client):
    response = client.get("/api/v1/schema/", HTTP_ACCEPT="application/json")
    assert response.status_code == 200
    return response.json()


def _parameters(schema, path) -> dict:
    return {p["name"]: p["schema"] for p in schema["paths"][path]["get"].get("parameters", [])}


def _component(schema, ref_or_schema) -> dict:
    ref = ref_or_schema.get("$ref") or ref_or_schema.get("allOf", [{}])[0].get("$ref")
    return schema["components"]["schemas"][ref.rsplit("/", 1)[1]] if ref else ref_or_schema


def test_every_list_documents_its_query_parameters(schema):
    assert _parameters(schema, "/api/v1/ledger/") == {
        "kind": {"type": "string", "enum": sorted(Transaction.Kind.values)},
        "challenge": {"type": "integer"},
        "after": {"type": "string"},
    }
    assert set(_parameters(schema, "/api/v1/challenges/")) == {
        "q", "status", "sector", "region", "agency", "incentive", "budget_min", "budget_max",
        "closes_after", "closes_before", "sort", "page", "lang",
    }  # fmt: skip
    assert set(_parameters(schema, "/api/v1/organisations/")) == {"kind", "verified", "page"}
    assert set(_parameters(schema, "/api/v1/projects/")) == {"page", "lang"}
    assert {"q", "type", "status", "after", "lang"} <= set(_parameters(schema, "/api/v1/search/"))


def test_the_search_response_is_typed(schema):
    content = schema["paths"]["/api/v1/search/"]["get"]["responses"]["200"]["content"]
    response = _component(schema, content["application/json"]["schema"])
    assert {"count", "next", "results", "facets", "backend", "degraded"} <= set(response["properties"])
    hit = _component(schema, response["properties"]["results"]["items"])
    assert {"type", "id", "title", "url", "amount", "amount_value", "currency"} <= set(hit["properties"])
    bucket = _component(schema, response["properties"]["facets"]["additionalProperties"]["items"])
    assert set(bucket["properties"]) == {"value", "count", "selected"}


def test_status_values_in_the_schema_are_the_ones_served(schema, client, official):
    components = schema["components"]["schemas"]
    assert components["ChallengeStatusEnum"]["enum"] == [value for value, _ in ChallengePage.STATUSES]
    assert components["MilestoneStatusEnum"]["enum"] == list(Milestone.Status.values)
    assert components["OrganisationKindEnum"]["enum"] == list(Organisation.Kind.values)
    assert set(_parameters(schema, "/api/v1/challenges/")["status"]["enum"]) == {
        value for value, _ in ChallengePage.STATUSES
    }
    # What the API serves for an open challenge and one whose call has closed.
    factories.challenge(officials=[official])
    closed = factories.challenge(officials=[official])
    factories.close_challenge(closed)
    served = {c["status"] for c in client.get("/api/v1/challenges/").json()["results"]}
    assert served == {"open", "in_review"}
    assert served <= set(components["ChallengeStatusEnum"]["enum"])


def test_every_minor_unit_amount_has_a_typed_value_next_to_it(schema):
    components = schema["components"]["schemas"]
    value = components["Value"]
    assert value["required"] == ["amount", "currency"]
    assert value["properties"]["amount"]["type"] == "number"
    money = {
        "Incentive": ["amount"],
        "Challenge": ["incentive_total"],
        "Milestone": ["amount"],
        "Project": ["amount_awarded", "amount_disbursed"],
        "LedgerEntry": ["amount"],
        "SearchHit": ["amount"],
    }
    for name, fields in money.items():
        properties = components[name]["properties"]
        for field in fields:
            assert properties[field]["type"] == "integer", (name, field)
            assert _component(schema, properties[f"{field}_value"]) == value, (name, field)


def test_the_schema_lists_no_admin_endpoint_and_no_sign_in(schema):
    assert all(path.startswith("/api/v1/") and "admin" not in path for path in schema["paths"])
    assert "/api/v1/schema/" not in schema["paths"]
    assert "securitySchemes" not in schema.get("components", {})


def test_errors_are_documented(schema):
    ledger_list = schema["paths"]["/api/v1/ledger/"]["get"]["responses"]
    # A cursor, not page numbers: a refused cursor is a 400, and there is no page to miss.
    assert set(ledger_list) == {"200", "400"}
    assert "404" in schema["paths"]["/api/v1/ledger/{id}/"]["get"]["responses"]
    assert set(schema["paths"]["/api/v1/projects/"]["get"]["responses"]) == {"200", "400", "404"}
    assert set(schema["paths"]["/api/v1/chain-heads/"]["get"]["responses"]) == {"200"}
    assert set(schema["paths"]["/api/v1/search/"]["get"]["responses"]) == {"200", "400"}


# --- /api/v1/docs/ ------------------------------------------------------------------------------


def test_the_docs_page_comes_from_the_sites_own_files(client):
    response = client.get("/api/v1/docs/")
    assert response.status_code == 200
    html = response.content.decode()
    assets = re.findall(r'(?:src|href)="([^"]+)"', html)
    sidecar = [a for a in assets if a.startswith(f"{settings.STATIC_URL}drf_spectacular_sidecar/")]
    assert {a.rsplit("/", 1)[1] for a in sidecar} >= {
        "swagger-ui.css",
        "swagger-ui-bundle.js",
        "swagger-ui-standalone-preset.js",
    }
    for asset in sidecar:
        assert finders.find(asset.removeprefix(settings.STATIC_URL)), asset
    assert not [a for a in assets if a.startswith(("http:", "https:", "//"))]
    # The start-up script is a file of its own, from this site: no inline script.
    assert "/api/v1/docs/?script=" in assets
    assert "<script>" not in html
    script = client.get("/api/v1/docs/?script=")
    assert script.status_code == 200 and script["Content-Type"].startswith("application/javascript")
    assert "/api/v1/schema/" in script.content.decode()
    # The site's policy, unloosened.
    assert "unsafe-inline" not in response["Content-Security-Policy"]
    assert "unsafe-eval" not in response["Content-Security-Policy"]
