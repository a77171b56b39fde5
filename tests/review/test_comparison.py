"""The officials' comparison table of a challenge: ranks with ties, mean, calibrated score,
spread with the disagreement flag, recommendations, the running total against the fund,
outlier reviewers by name, sorting without JavaScript, CSV and XLSX exports, a query count
that does not grow with the data, and every role that may not see it.

The numbers are the worked example of tests/review/test_scoring.py, now scored through
the review form's service on the challenge's criteria (Dampak 60 %, Kelayakan 40 %, 1–5):

              Usulan 1      Usulan 2      Usulan 3      Usulan 4
    Ani       60 (3, 4)     90 (5, 4)     60 (5, 1)     90 (5, 4)
    Budi     100 (5, 5)    100 (5, 5)     60 (3, 4)     60 (3, 4)
    Citra     40 (1, 5)     80 (5, 3)     50 (3, 3)     50 (3, 3)
"""

from __future__ import annotations

import csv
import datetime
import io
from dataclasses import dataclass
from decimal import Decimal

import pytest
from django.db import connection
from django.template.loader import render_to_string
from django.test import RequestFactory
from django.test.utils import CaptureQueriesContext
from django.utils import timezone
from openpyxl import load_workbook

from marketplace.awards.services import awards as awards_services
from marketplace.challenges.models import ChallengePage
from marketplace.challenges.services import funds as challenges_services
from marketplace.organisations.models import Organisation
from marketplace.proposals import workflows
from marketplace.proposals.models import Proposal
from marketplace.review.models import Review, ReviewAssignment
from marketplace.review.services import scoring as scoring_services
from marketplace.review.services.scoring import ScoreInput
from marketplace.review.views.scoring import scoring_workspace
from tests import factories
from tests.review.test_review_form import indonesian, login_redirect
from tests.support.module_data import own_copy, rolled_back_after_module

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("cheap_passwords")]

SHEETS = {
    "ani": {1: (3, 4), 2: (5, 4), 3: (5, 1), 4: (5, 4)},
    "budi": {1: (5, 5), 2: (5, 5), 3: (3, 4), 4: (3, 4)},
    "citra": {1: (1, 5), 2: (5, 3), 3: (3, 3), 4: (3, 3)},
}
RECOMMENDATIONS = {
    "ani": {1: "fund_with_changes", 2: "fund", 3: "do_not_fund", 4: "fund"},
    "budi": {1: "fund", 2: "fund", 3: "fund_with_changes", 4: "fund_with_changes"},
    "citra": {1: "do_not_fund", 2: "fund", 3: "do_not_fund", 4: "do_not_fund"},
}
NAMES = {"ani": ("Ani", "Suryani"), "budi": ("Budi", "Santoso"), "citra": ("Citra", "Dewi")}
AMOUNTS = {1: 20_000_000_00, 2: 30_000_000_00, 3: 10_000_000_00, 4: 25_000_000_00}
ALLOCATED = 60_000_000_00


@dataclass
class Example:
    official: object
    finance: object
    challenge: ChallengePage
    proposals: dict  # 1..4 the example; "waiting": in review, no submitted review; "rejected": after review
    reviewers: dict
    assignments: dict  # (reviewer, proposal number) -> assignment
    others: dict  # users who may not see the table


def score(assignment, sheet, recommendation):
    dampak, kelayakan = assignment.proposal.challenge.criteria.order_by("sort_order", "pk")
    return scoring_services.review_submit(
        assignment=assignment,
        by=assignment.reviewer,
        scores=[ScoreInput(dampak.pk, sheet[0]), ScoreInput(kelayakan.pk, sheet[1])],
        recommendation=recommendation,
        overall_comment="Terima kasih.",
    )


def build_example(*, blind: bool = False) -> Example:
    official = factories.UserFactory(roles=["official"])
    finance = factories.UserFactory(roles=["finance"])
    challenge = factories.challenge(officials=[official])
    if blind:
        ChallengePage.objects.filter(pk=challenge.pk).update(blind_review=True)
        challenge.refresh_from_db()
    proposals = {
        n: factories.proposal_in_review(challenge, official=official, title=f"Usulan {n}", amount=AMOUNTS[n])
        for n in AMOUNTS
    }
    reviewers = {
        key: factories.UserFactory(roles=["reviewer"], first_name=first, last_name=last)
        for key, (first, last) in NAMES.items()
    }
    assignments = {}
    for key, sheets in SHEETS.items():
        for number, sheet in sheets.items():
            assignment = factories.assign(proposals[number], reviewers[key])
            assignments[key, number] = assignment
            score(assignment, sheet, RECOMMENDATIONS[key][number])

    # In review, with one reviewer's draft only: listed, not ranked.
    proposals["waiting"] = factories.proposal_in_review(
        challenge, official=official, title="Usulan menunggu", amount=5_000_000_00
    )
    draft = factories.assign(proposals["waiting"], reviewers["ani"])
    scoring_services.review_save_draft(
        assignment=draft, by=reviewers["ani"], overall_comment="Belum selesai."
    )
    # Rejected after review: listed; rejected at screening: not listed; still screening: not listed.
    proposals["rejected"] = factories.proposal_in_review(
        challenge, official=official, title="Usulan ditolak", amount=7_000_000_00
    )
    factories.assign(proposals["rejected"], reviewers["budi"])
    workflows.proposal_perform(proposal=proposals["rejected"], name="reject", by=official)
    screened_out = factories.submitted_proposal(challenge_page=challenge, owner=factories.UserFactory())
    workflows.proposal_perform(proposal=screened_out, name="reject", by=official)
    screening = factories.submitted_proposal(challenge_page=challenge, owner=factories.UserFactory())
    workflows.proposal_perform(proposal=screening, name="screen", by=official)
    Proposal.objects.filter(pk__in=[screened_out.pk, screening.pk]).update(title="Tidak dibandingkan")

    challenges_services.allocation_record(
        challenge=challenge, amount=ALLOCATED, by=finance, reference="SP2D-001", idempotency_key="alloc-1"
    )
    other_official = factories.official_elsewhere()
    conflict_reviewer = factories.UserFactory(roles=["reviewer"])
    factories.assign(proposals[1], conflict_reviewer, ReviewAssignment.Status.CONFLICT)
    others = {
        "applicant": proposals[1].organisation.memberships.get().user,
        "other_applicant": proposals[2].organisation.memberships.get().user,
        "assigned_reviewer": reviewers["ani"],
        "unassigned_reviewer": factories.UserFactory(roles=["reviewer"]),
        "conflict_reviewer": conflict_reviewer,
        "other_official": other_official,
        "finance": finance,
    }
    return Example(official, finance, challenge, proposals, reviewers, assignments, others)


@pytest.fixture(scope="module")
def _example_built(django_db_setup, django_db_blocker):
    """Built once, rolled back after the module; each test runs in a savepoint of it."""
    with rolled_back_after_module(django_db_blocker):
        yield build_example()


@pytest.fixture
def example(_example_built, db) -> Example:
    return own_copy(_example_built)


def url(example: Example, query: str = "") -> str:
    return f"/workspace/challenges/{example.challenge.slug}/comparison/{query}"


def order_of(html: str, titles: list[str]) -> list[str]:
    body = html[html.index("<tbody>") :]
    return sorted(titles, key=lambda title: body.index(f">{title}</a>"))


# The table -------------------------------------------------------------------------------------


def test_the_table_ranks_with_ties_and_shows_every_figure(client, example):
    client.force_login(example.official)
    response = client.get(url(example))
    assert response.status_code == 200
    html = response.text
    titles = ["Usulan 1", "Usulan 2", "Usulan 3", "Usulan 4", "Usulan menunggu", "Usulan ditolak"]
    # Rank order; the tie (Usulan 1 and Usulan 4 at 66.67) in title order; unranked last.
    assert order_of(html, titles) == [
        "Usulan 2",
        "Usulan 1",
        "Usulan 4",
        "Usulan 3",
        "Usulan ditolak",
        "Usulan menunggu",
    ]
    assert "Tidak dibandingkan" not in html
    # Indonesian number formatting: 66,67.
    for figure in (
        "90,00",
        "66,67",
        "56,67",
        "93,33",
        "63,33",
        "67,78",
        "54,44",
        "60,00",
        "40,00",
        "20,00",
        "10,00",
    ):
        assert figure in html, figure
    assert html.count(f'<span class="cell-note">{indonesian("tied")}</span>') == 2
    assert html.count(indonesian("Reviewers disagree")) == 2  # Usulan 1 (60) and 4 (40); 20 is not above 20
    for name in ("Organisasi Usulan 1", "Organisasi Usulan 2", "Rp 20.000.000", "Rp 30.000.000"):
        assert name in html
    # Running total in rank order against the fund (Rp 60 juta): 30, 50 within; 75, 85 beyond.
    for total in ("Rp 50.000.000", "Rp 75.000.000", "Rp 85.000.000"):
        assert total in html
    assert html.count(indonesian("within the fund")) == 2
    assert html.count(indonesian("beyond the fund")) == 2
    assert "Rp 60.000.000" in html
    # Outlier reviewer by name: Citra, −22.5 points from her co-reviewers.
    notice = html[html.index('class="notice"') :]
    assert "Citra Dewi" in notice[: notice.index("</p>")]
    assert "-22,50" in html
    assert indonesian("Outlier") in html


def test_the_selector_gives_exact_numbers(example, django_assert_max_num_queries):
    from marketplace.review.selectors import scoring as selectors_scoring

    table = selectors_scoring.comparison_table(example.challenge)
    rows = {row.proposal.title: row for row in table.rows}
    D = Decimal
    summary = {
        title: (
            row.rank,
            row.tied,
            row.score.aggregate.count,
            row.assigned,
            row.score.aggregate.mean,
            row.score.calibrated,
            row.score.aggregate.spread,
            row.score.aggregate.disagreement,
            row.recommendations,
            row.running_total,
            row.within_fund,
        )
        for title, row in rows.items()
    }
    assert summary == {
        "Usulan 2": (1, False, 3, 3, D("90.00"), D("93.33"), D("20.00"), False,
                     {"fund": 3, "fund_with_changes": 0, "do_not_fund": 0}, 30_000_000_00, True),
        "Usulan 1": (2, True, 3, 3, D("66.67"), D("63.33"), D("60.00"), True,
                     {"fund": 1, "fund_with_changes": 1, "do_not_fund": 1}, 50_000_000_00, True),
        "Usulan 4": (2, True, 3, 3, D("66.67"), D("67.78"), D("40.00"), True,
                     {"fund": 1, "fund_with_changes": 1, "do_not_fund": 1}, 75_000_000_00, False),
        "Usulan 3": (4, False, 3, 3, D("56.67"), D("54.44"), D("10.00"), False,
                     {"fund": 0, "fund_with_changes": 1, "do_not_fund": 2}, 85_000_000_00, False),
        "Usulan menunggu": (None, False, 0, 1, None, None, None, False,
                            {"fund": 0, "fund_with_changes": 0, "do_not_fund": 0}, None, None),
        "Usulan ditolak": (None, False, 0, 1, None, None, None, False,
                           {"fund": 0, "fund_with_changes": 0, "do_not_fund": 0}, None, None),
    }  # fmt: skip
    assert (table.overall_mean, table.overall_sd) == (D("70.00"), D("20.00"))
    assert [(r.name, r.deviation.mean_deviation, r.deviation.outlier) for r in table.reviewers] == [
        ("Citra Dewi", D("-22.50"), True),
        ("Ani Suryani", D("7.50"), False),
        ("Budi Santoso", D("15.00"), False),
    ]
    assert (table.fund.received, table.fund.committed, table.fund.available) == (ALLOCATED, 0, ALLOCATED)


def test_a_reopened_review_stops_counting_until_submitted_again(client, example):
    from marketplace.review.selectors import scoring as selectors_scoring

    citra_on_1 = example.assignments["citra", 1]
    scoring_services.review_reopen(
        review=citra_on_1.review, by=example.official, reason="Periksa skor Dampak."
    )
    rows = {r.proposal.title: r for r in selectors_scoring.comparison_table(example.challenge).rows}
    # Usulan 1 now has Ani 60 and Budi 100: mean 80, spread 40 → rank 2 alone, then Usulan 4.
    assert (rows["Usulan 1"].score.aggregate.count, rows["Usulan 1"].score.aggregate.mean) == (
        2,
        Decimal("80.00"),
    )
    assert (rows["Usulan 1"].rank, rows["Usulan 4"].rank, rows["Usulan 1"].tied) == (2, 3, False)
    score(citra_on_1, (1, 5), "do_not_fund")
    rows = {r.proposal.title: r for r in selectors_scoring.comparison_table(example.challenge).rows}
    assert (rows["Usulan 1"].rank, rows["Usulan 4"].rank) == (2, 2)


def test_an_awarded_proposal_leaves_the_running_total_and_the_available_money(client, example):
    from marketplace.review.selectors import scoring as selectors_scoring

    due = timezone.localdate() + datetime.timedelta(days=90)
    factories.close_challenge(example.proposals[2].challenge)
    awards_services.award_create(
        proposal=example.proposals[2],
        amount=30_000_000_00,
        milestones=[awards_services.MilestonePlan(title="Uji coba", amount=30_000_000_00, due_date=due)],
        by=example.official,
    )
    table = selectors_scoring.comparison_table(example.challenge)
    assert (table.fund.received, table.fund.committed, table.fund.available) == (
        ALLOCATED,
        30_000_000_00,
        30_000_000_00,
    )
    rows = {r.proposal.title: r for r in table.rows}
    assert rows["Usulan 2"].proposal.status == Proposal.Status.AWARDED
    assert (rows["Usulan 2"].rank, rows["Usulan 2"].running_total, rows["Usulan 2"].within_fund) == (
        1,
        None,
        None,
    )
    # Still to decide, in rank order, against the Rp 30 juta left: 20 within; 45 and 55 beyond.
    assert (rows["Usulan 1"].running_total, rows["Usulan 1"].within_fund) == (20_000_000_00, True)
    assert (rows["Usulan 4"].running_total, rows["Usulan 4"].within_fund) == (45_000_000_00, False)
    assert (rows["Usulan 3"].running_total, rows["Usulan 3"].within_fund) == (55_000_000_00, False)


def test_officials_see_names_even_in_a_blind_review(client):
    example = build_example(blind=True)
    client.force_login(example.official)
    html = client.get(url(example)).text
    assert "Organisasi Usulan 1" in html and "Citra Dewi" in html
    assert f"<dd>{indonesian('yes')}</dd>" in html  # blind review: yes


@pytest.mark.parametrize(
    "sort, expected",
    [
        ("rank", ["Usulan 2", "Usulan 1", "Usulan 4", "Usulan 3", "Usulan ditolak", "Usulan menunggu"]),
        ("-rank", ["Usulan 3", "Usulan 4", "Usulan 1", "Usulan 2", "Usulan ditolak", "Usulan menunggu"]),
        ("mean", ["Usulan 2", "Usulan 1", "Usulan 4", "Usulan 3", "Usulan ditolak", "Usulan menunggu"]),
        ("calibrated", ["Usulan 2", "Usulan 4", "Usulan 1", "Usulan 3", "Usulan ditolak", "Usulan menunggu"]),
        (
            "-calibrated",
            ["Usulan 3", "Usulan 1", "Usulan 4", "Usulan 2", "Usulan ditolak", "Usulan menunggu"],
        ),
        ("spread", ["Usulan 1", "Usulan 4", "Usulan 2", "Usulan 3", "Usulan ditolak", "Usulan menunggu"]),
        ("amount", ["Usulan 2", "Usulan 4", "Usulan 1", "Usulan 3", "Usulan ditolak", "Usulan menunggu"]),
        ("-amount", ["Usulan menunggu", "Usulan ditolak", "Usulan 3", "Usulan 1", "Usulan 4", "Usulan 2"]),
        ("nonsense", ["Usulan 2", "Usulan 1", "Usulan 4", "Usulan 3", "Usulan ditolak", "Usulan menunggu"]),
    ],
)
def test_sorting_by_query_parameter(client, example, sort, expected):
    client.force_login(example.official)
    html = client.get(url(example, f"?sort={sort}")).text
    assert order_of(html, expected) == expected


def test_column_headers_link_to_sorts_without_javascript(client, example):
    client.force_login(example.official)
    html = client.get(url(example, "?sort=spread")).text
    assert 'href="?sort=-spread"' in html  # the current column reverses
    assert 'href="?sort=mean"' in html and 'href="?sort=amount"' in html
    assert 'aria-sort="descending"' in html
    assert "<script" not in html
    assert 'href="?sort=spread&amp;format=csv"' in html
    assert 'href="?sort=spread&amp;format=xlsx"' in html


def test_reviews_are_listed_for_officials_with_a_way_to_reopen(client, example):
    client.force_login(example.official)
    html = client.get(url(example)).text
    reopen = f"/workspace/reviews/{example.assignments['citra', 1].pk}/reopen/"
    assert reopen in html
    assert indonesian("Not started") in html  # Budi on the rejected proposal
    assert indonesian("Draft") in html  # Ani on the waiting one


# Exports ---------------------------------------------------------------------------------------


def test_csv_export_opens_in_excel_with_the_same_numbers(client, example):
    client.force_login(example.official)
    response = client.get(url(example, "?format=csv&sort=calibrated"))
    assert response.status_code == 200
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert response["Content-Disposition"].startswith("attachment; filename=")
    assert response.content.startswith(b"\xef\xbb\xbf")
    rows = list(csv.reader(io.StringIO(response.content.decode("utf-8-sig"))))
    header, body = rows[0], rows[1:]
    assert header[:4] == [
        indonesian("Rank"),
        indonesian("Tied"),
        indonesian("Proposal"),
        indonesian("Organisation"),
    ]
    column = {name: header.index(indonesian(name)) for name in (
        "Proposal", "Organisation", "Requested amount", "Mean", "Calibrated", "Spread",
        "Reviewers disagree", "Running total", "Within the fund", "Reviews submitted",
    )}  # fmt: skip
    assert [row[column["Proposal"]] for row in body] == [
        "Usulan 2", "Usulan 4", "Usulan 1", "Usulan 3", "Usulan ditolak", "Usulan menunggu",
    ]  # fmt: skip
    usulan_4 = body[1]
    assert usulan_4[0] == "2"
    assert usulan_4[column["Organisation"]] == "Organisasi Usulan 4"
    assert usulan_4[column["Requested amount"]] == "25000000.00"
    assert (usulan_4[column["Mean"]], usulan_4[column["Calibrated"]], usulan_4[column["Spread"]]) == (
        "66.67",
        "67.78",
        "40.00",
    )
    assert usulan_4[column["Reviewers disagree"]] == indonesian("yes")
    assert usulan_4[column["Running total"]] == "75000000.00"
    assert usulan_4[column["Within the fund"]] == indonesian("no")
    assert usulan_4[column["Reviews submitted"]] == "3"
    waiting = body[-1]
    assert (waiting[0], waiting[column["Mean"]], waiting[column["Running total"]]) == ("", "", "")


def test_xlsx_export_has_numeric_cells(client, example):
    client.force_login(example.official)
    response = client.get(url(example, "?format=xlsx"))
    assert response.status_code == 200
    assert response["Content-Type"] == "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    assert response["Content-Disposition"].endswith('.xlsx"')
    sheet = load_workbook(io.BytesIO(response.content)).active
    rows = list(sheet.iter_rows(values_only=True))
    header = list(rows[0])
    col = {
        name: header.index(indonesian(name))
        for name in ("Proposal", "Requested amount", "Mean", "Calibrated", "Spread", "Running total")
    }
    by_title = {row[col["Proposal"]]: row for row in rows[1:]}
    usulan_1 = by_title["Usulan 1"]
    assert usulan_1[0] == 2 and isinstance(usulan_1[0], int)
    assert usulan_1[col["Requested amount"]] == 20_000_000
    assert usulan_1[col["Mean"]] == pytest.approx(66.67) and isinstance(usulan_1[col["Mean"]], float)
    assert usulan_1[col["Calibrated"]] == pytest.approx(63.33)
    assert usulan_1[col["Spread"]] == 60
    assert usulan_1[col["Running total"]] == 50_000_000
    assert by_title["Usulan menunggu"][col["Mean"]] is None
    assert sheet.cell(row=2, column=col["Requested amount"] + 1).number_format == "#,##0.00"


def test_exports_keep_applicant_text_as_text(client, example):
    Proposal.objects.filter(pk=example.proposals[1].pk).update(title='=HYPERLINK("http://x.test","klik")')
    Organisation.objects.filter(pk=example.proposals[3].organisation_id).update(name="@SUM(1+1)")
    client.force_login(example.official)
    body = client.get(url(example, "?format=csv")).content.decode("utf-8-sig")
    assert "'=HYPERLINK" in body and "'@SUM(1+1)" in body
    sheet = load_workbook(io.BytesIO(client.get(url(example, "?format=xlsx")).content)).active
    values = [cell.value for row in sheet.iter_rows() for cell in row]
    assert '\'=HYPERLINK("http://x.test","klik")' in values
    assert "'@SUM(1+1)" in values
    assert not any(cell.data_type == "f" for row in sheet.iter_rows() for cell in row)


# Query counts ----------------------------------------------------------------------------------


def test_query_count_does_not_grow_with_proposals_and_reviews(client, example):
    client.force_login(example.official)
    client.get(url(example))
    counts = {}
    for fmt in ("", "?format=csv", "?format=xlsx"):
        with CaptureQueriesContext(connection) as few:
            assert client.get(url(example, fmt)).status_code == 200
        counts[fmt] = len(few)
    extra_reviewer = factories.UserFactory(roles=["reviewer"], first_name="Dewi")
    for n in range(4):
        proposal = factories.proposal_in_review(
            example.challenge, official=example.official, title=f"Tambahan {n}", amount=1_000_000_00
        )
        for reviewer in (*example.reviewers.values(), extra_reviewer):
            score(factories.assign(proposal, reviewer), (n % 5 + 1, 3), "fund")
    for fmt in ("", "?format=csv", "?format=xlsx"):
        with CaptureQueriesContext(connection) as more:
            assert client.get(url(example, fmt)).status_code == 200
        assert len(more) == counts[fmt], (fmt, [q["sql"] for q in more])
    assert counts[""] <= 20


# The workspace link ----------------------------------------------------------------------------


def test_officials_get_a_workspace_link_to_the_comparison(example):
    request = RequestFactory().get("/workspace/")
    request.user = example.official
    context = scoring_workspace(request)
    assert context["scoring_comparison_challenges"] == [example.challenge]
    html = render_to_string("review/scoring/workspace_comparison.html", context)
    assert url(example) in html
    for user in example.others.values():
        request.user = user
        assert not scoring_workspace(request).get("scoring_comparison_challenges")


# Who may not -----------------------------------------------------------------------------------


def snapshot() -> dict:
    return {
        "reviews": sorted(Review.objects.values_list("pk", "status", "weighted_total", "recommendation")),
        "assignments": sorted(ReviewAssignment.objects.values_list("pk", "status")),
        "proposals": sorted(Proposal.objects.values_list("pk", "status")),
    }


@pytest.mark.parametrize("query", ["", "?format=csv", "?format=xlsx"])
def test_every_role_but_the_owning_official_is_refused(client, example, query):
    target = url(example, query)
    before = snapshot()
    client.logout()
    for response in (client.get(target), client.post(target, {})):
        assert response.status_code == 302
        assert response["Location"] == login_redirect(target)
    for role, user in example.others.items():
        client.force_login(user)
        response = client.get(target)
        assert response.status_code == 403, role
        assert "Organisasi Usulan 1" not in response.content.decode(), role
        assert client.post(target, {}).status_code == 405, role
    assert snapshot() == before


def test_an_unknown_challenge_is_not_found(client, example):
    client.force_login(example.official)
    assert client.get("/workspace/challenges/tidak-ada/comparison/").status_code == 404
