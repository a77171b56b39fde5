"""Builders for test data. Pages are created in the Wagtail tree and published, as an editor
would; transactional records through factory_boy."""

from __future__ import annotations

import datetime
import itertools

import factory
from allauth.account.models import EmailAddress
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.utils import timezone
from wagtail.models import Page
from wagtail.rich_text import RichText

from marketplace.challenges.models import (
    Agency,
    ChallengeIndexPage,
    ChallengePage,
    Criterion,
    Incentive,
    RegionPage,
    Sector,
)
from marketplace.organisations.models import Organisation
from marketplace.organisations.services import organisations as organisations_services
from marketplace.proposals.services import drafts as drafts_proposals_services
from marketplace.proposals.services import submission as submission_proposals_services

_seq = itertools.count(1)
PASSWORD = "test-pass-9182"


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = get_user_model()
        skip_postgeneration_save = True

    username = factory.Sequence(lambda n: f"user{n}")
    email = factory.LazyAttribute(lambda u: f"{u.username}@example.id")
    password = factory.PostGenerationMethodCall("set_password", PASSWORD)

    @factory.post_generation
    def roles(self, create, extracted, **kwargs):
        for name in extracted or []:
            self.groups.add(Group.objects.get(name=name))
        self.save()

    @factory.post_generation
    def verified_email(self, create, extracted, **kwargs):
        """Users have confirmed their email address (as allauth requires before signing in),
        unless built with ``verified_email=False``."""
        if create and self.email and extracted is not False:
            EmailAddress.objects.create(user=self, email=self.email, verified=True, primary=True)


class SectorFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Sector
        django_get_or_create = ("slug",)

    name = factory.Sequence(lambda n: f"Sektor {n}")
    name_en = factory.Sequence(lambda n: f"Sector {n}")
    slug = factory.Sequence(lambda n: f"sektor-{n}")


def home_page() -> Page:
    return Page.objects.get(depth=2).specific


def region(title: str | None = None, timezone_name: str = "Asia/Makassar") -> RegionPage:
    n = next(_seq)
    title = title or f"Kabupaten Uji {n}"
    page = RegionPage(title=title, slug=f"region-{n}", level="kabupaten", timezone=timezone_name)
    home_page().add_child(instance=page)
    page.save_revision().publish()
    index = ChallengeIndexPage(title="Tantangan", slug="tantangan")
    page.add_child(instance=index)
    index.save_revision().publish()
    return page


def agency(region_page: RegionPage | None = None, officials=(), heads=()) -> Agency:
    obj = Agency.objects.create(region=region_page or region(), name=f"Dinas Uji {next(_seq)}", acronym="DU")
    obj.officials.set(officials)
    obj.heads.set(heads)
    return obj


def challenge(
    *,
    agency_obj: Agency | None = None,
    officials=(),
    region_page: RegionPage | None = None,
    sector: Sector | None = None,
    title: str | None = None,
    summary: str = "Masalah layanan publik yang perlu solusi digital.",
    opens_at: datetime.datetime | None = None,
    closes_at: datetime.datetime | None = None,
    incentives=(("grant", 50_000_000_00),),
    slug: str | None = None,
    publish: bool = True,
) -> ChallengePage:
    """A published challenge; without ``agency_obj``, of a new agency (in ``region_page`` or a new
    region) whose ``officials`` run it."""
    agency_obj = agency_obj or agency(region_page, officials=officials)
    n = next(_seq)
    now = timezone.now()
    page = ChallengePage(
        title=title or f"Tantangan uji {n}",
        slug=slug or f"tantangan-uji-{n}",
        summary=summary,
        body=[("paragraph", RichText("<p>Uraian masalah.</p>"))],
        agency=agency_obj,
        sector=sector or SectorFactory(),
        opens_at=opens_at or now - datetime.timedelta(days=1),
        closes_at=closes_at or now + datetime.timedelta(days=30),
        live=publish,  # without publishing: a draft, never live
    )
    page.incentives = [Incentive(kind=kind, amount=amount, currency="IDR") for kind, amount in incentives]
    page.criteria = [Criterion(name="Dampak", weight=60), Criterion(name="Kelayakan", weight=40)]
    index = agency_obj.region.get_children().type(ChallengeIndexPage).first()
    index.add_child(instance=page)
    revision = page.save_revision()
    if publish:
        revision.publish()
    return ChallengePage.objects.get(pk=page.pk)


def organisation(owner=None, **fields) -> Organisation:
    owner = owner or UserFactory()
    defaults = {"name": f"Organisasi Uji {next(_seq)}", "kind": "startup"}
    defaults.update(fields)
    return organisations_services.organisation_create(by=owner, **defaults)


def official_elsewhere(user=None):
    """An official of another region's agency: the role, without rights over the test's challenge."""
    user = user or UserFactory(roles=["official"])
    agency(region(), officials=[user])
    return user


def applicant(**organisation_fields):
    """A user who owns an organisation of their own (an applicant other than the test's)."""
    user = UserFactory()
    organisation(user, **organisation_fields)
    return user


def bank_details_verified(organisation_obj: Organisation, *, owner, official, account_holder: str) -> None:
    """Paid by bank transfer: the owner gave the details, an official of the region verified them."""
    from marketplace.finance import services as payout_services

    payout_services.organisation_bank_details_set(
        organisation=organisation_obj,
        by=owner,
        bank_name="Bank NTT",
        account_holder=account_holder,
        account_number="0012345678",
    )
    payout_services.organisation_bank_details_verify(
        organisation=organisation_obj, by=official, changed_at_seen=None
    )


def submitted_proposal(*, challenge_page: ChallengePage, owner, amount: int = 20_000_000_00):
    org = Organisation.objects.filter(memberships__user=owner).first() or organisation(owner)
    proposal = drafts_proposals_services.proposal_create(
        by=owner,
        organisation=org,
        challenge=challenge_page,
        title="Usulan uji",
        summary="Ringkasan",
        requested_amount=amount,
    )
    complete_proposal(proposal, by=owner)
    return submission_proposals_services.proposal_submit(proposal=proposal, by=owner)


def admin_challenge_form(
    *,
    agency_obj: Agency,
    sector: Sector,
    title: str,
    slug: str,
    opens: str,
    closes: str,
    weights=(60, 40),
    action: str = "publish",
    incentives: list[dict] | None = None,
    **extra,
) -> dict:
    """The POST an official's browser sends from the Wagtail editor when publishing a challenge
    (``action="submit"``: submitting it to the approval workflow; ``"save"``: saving a draft)."""
    from wagtail.test.utils.form_data import inline_formset, nested_form_data, rich_text, streamfield

    fields = {
        "title": title,
        "slug": slug,
        "title_en": "",
        "summary": "Masalah layanan publik yang perlu solusi digital.",
        "summary_en": "",
        "body": streamfield([("paragraph", rich_text("<p>Uraian masalah.</p>"))]),
        # The English tab, left empty as most editors leave it.
        "body_en": streamfield([]),
        "expected_outcomes_en": rich_text(""),
        "eligibility_en": rich_text(""),
        "agency": agency_obj.pk,
        "sector": sector.pk,
        "opens_at": opens,
        "closes_at": closes,
        "eligibility": rich_text("<p>Startup dan UMKM.</p>"),
        "expected_outcomes": rich_text(""),
        "incentives": inline_formset(
            incentives
            or [
                {
                    "kind": "grant",
                    "amount": "150.000.000",
                    "currency": "IDR",
                    "description": "Hibah",
                    "winners": "1",
                }
            ],
            min=1,
        ),
        "criteria": inline_formset(
            [
                {"name": f"Kriteria {i + 1}", "description": "", "weight": str(w)}
                for i, w in enumerate(weights)
            ],
            min=1,
        ),
        "application_questions": inline_formset([]),
        "sponsors": inline_formset([]),
        "attachments": inline_formset([]),
        # The Review tab, as the editor pre-fills it.
        "score_min": "1",
        "score_max": "5",
        "reviewers_per_proposal": "3",
        "reviewer_max_load": "10",
        "disagreement_threshold": "20",
    }
    if action != "save":
        fields[f"action-{action}"] = f"action-{action}"
    fields.update(extra)
    return nested_form_data(fields)


def question(*, challenge_page: ChallengePage, asker=None, body: str = "Apakah data pasien boleh dipakai?"):
    """A question asked in public through the service, as a signed-in user would."""
    from marketplace.challenges.services import questions as question_services

    return question_services.question_ask(challenge=challenge_page, by=asker or UserFactory(), body=body)


def answered_question(
    *, challenge_page: ChallengePage, official, asker=None, body: str = "", answer: str = "Ya."
):
    from marketplace.challenges.services import questions as question_services

    asked = question(challenge_page=challenge_page, asker=asker, body=body or f"Pertanyaan {next(_seq)}?")
    return question_services.question_answer(question=asked, by=official, answer=answer)


def partner_listing(*, challenge_page: ChallengePage, organisation_obj: Organisation | None = None, by=None):
    """An organisation marked "looking for partners" on a challenge by one of its members."""
    from marketplace.organisations.services import partners as partner_services

    by = by or UserFactory()
    organisation_obj = organisation_obj or organisation(by)
    if not organisation_obj.memberships.filter(user=by).exists():
        by = organisation_obj.memberships.first().user
    return partner_services.partner_listing_save(
        challenge=challenge_page,
        organisation=organisation_obj,
        by=by,
        offers="Pengembang aplikasi seluler.",
        needs="Mitra yang dekat dengan kader posyandu.",
    )


# Proposals ---------------------------------------------------------------------------------


def complete_proposal(proposal, *, by, amount: int | None = None):
    """Fill in everything submission needs: texts, one milestone and one budget line for the
    whole requested amount, a team member, and an answer to each of the challenge's questions."""
    amount = amount or proposal.requested_amount
    due = timezone.localdate() + datetime.timedelta(days=60)
    return drafts_proposals_services.proposal_save(
        proposal=proposal,
        by=by,
        fields={
            "summary": proposal.summary or "Ringkasan usulan.",
            "problem": "Warga menunggu lama karena pendaftaran masih manual.",
            "solution": "Aplikasi ringan yang juga bisa dipakai lewat SMS.",
            "inclusion": "Lansia dan penyandang disabilitas bisa memakainya; bekerja tanpa internet.",
            "plan": "Uji coba tiga bulan, lalu perluasan.",
            "requested_amount": amount,
        },
        milestones=[
            drafts_proposals_services.PlannedMilestonePlan(
                deliverable="Uji coba", due_date=due, amount=amount
            )
        ],
        budget_lines=[
            drafts_proposals_services.BudgetLinePlan(
                category="software", description="Pengembangan", amount=amount
            )
        ],
        team=[
            drafts_proposals_services.TeamMemberPlan(
                name="Ayu Lestari", role="Ketua tim", expertise="Rekayasa perangkat lunak"
            )
        ],
        answers={q.pk: "Jawaban kami." for q in proposal.challenge.application_questions.all()},
    )


def proposal_form_data(proposal, **overrides) -> dict:
    """What the browser posts from a complete draft page (the same form the autosave sends)."""
    rupiah = f"{proposal.requested_amount // 100:,}".replace(",", ".")
    due = (timezone.localdate() + datetime.timedelta(days=60)).isoformat()
    data = {
        "title": proposal.title,
        "summary": proposal.summary or "Ringkasan usulan.",
        "problem": "Warga menunggu lama karena pendaftaran masih manual.",
        "solution": "Aplikasi ringan yang juga bisa dipakai lewat SMS.",
        "inclusion": "Bisa dipakai lansia dan penyandang disabilitas; bekerja tanpa internet.",
        "plan": "Uji coba tiga bulan, lalu perluasan.",
        "requested_amount": rupiah,
        **_rows("milestones", [{"deliverable": "Uji coba", "due_date": due, "amount": rupiah}]),
        **_rows("budget", [{"category": "software", "description": "Pengembangan", "amount": rupiah}]),
        **_rows("team", [{"name": "Ayu Lestari", "role": "Ketua tim", "expertise": "Perangkat lunak"}]),
    }
    for question in proposal.challenge.application_questions.all():
        data[f"answer-{question.pk}"] = "Jawaban kami."
    data.update(overrides)
    return data


def _rows(prefix: str, rows: list[dict]) -> dict:
    data = {
        f"{prefix}-TOTAL_FORMS": str(len(rows)),
        f"{prefix}-INITIAL_FORMS": "0",
        f"{prefix}-MIN_NUM_FORMS": "0",
        f"{prefix}-MAX_NUM_FORMS": "1000",
    }
    for i, row in enumerate(rows):
        data.update({f"{prefix}-{i}-{name}": value for name, value in row.items()})
    return data


def publish_results(challenge_page: ChallengePage, official):
    """The official publishes the challenge's results: its winners become public."""
    from marketplace.awards.services import determinations

    # A fresh copy: the service updates the object it is given, and callers may share theirs.
    fresh = ChallengePage.objects.get(pk=challenge_page.pk)
    return determinations.results_publish(challenge=fresh, by=official)


def accept_agreement(award, owner, name: str = "Pemilik Organisasi"):
    """The grantee's owner accepts the award agreement, so the project starts."""
    from marketplace.awards.services import determinations

    return determinations.agreement_accept(
        agreement=award.agreement, by=owner, signer_name=name, ip_address="127.0.0.1"
    )


# Review ------------------------------------------------------------------------------------


def send_to_review(proposal, official):
    """The owning official passes the submitted proposal's screening and sends it to review."""
    from marketplace.proposals import workflows

    workflows.proposal_perform(proposal=proposal, name="screen", by=official)
    workflows.proposal_perform(proposal=proposal, name="review", by=official)
    proposal.refresh_from_db()
    return proposal


def proposal_in_review(
    challenge_page: ChallengePage,
    *,
    official,
    owner=None,
    title: str = "Usulan uji",
    amount: int = 20_000_000_00,
):
    """A complete proposal of a new organisation (``"Organisasi <title>"``), submitted and sent
    to review by the owning official."""
    owner = owner or UserFactory()
    org = organisation(owner, name=f"Organisasi {title}")
    proposal = drafts_proposals_services.proposal_create(
        by=owner,
        organisation=org,
        challenge=challenge_page,
        title=title,
        summary="Ringkasan",
        requested_amount=amount,
    )
    complete_proposal(proposal, by=owner)
    submission_proposals_services.proposal_submit(proposal=proposal, by=owner)
    return send_to_review(proposal, official)


def assign(proposal, reviewer, status: str = "active"):
    """A review assignment made directly (not through the pool's rules), in ``status``."""
    from marketplace.review.models import ReviewAssignment

    assignment = ReviewAssignment.objects.create(proposal=proposal, reviewer=reviewer)
    ReviewAssignment.objects.filter(pk=assignment.pk).update(status=status)
    assignment.refresh_from_db()
    return assignment


# Awards ------------------------------------------------------------------------------------


def allocation(
    challenge_page: ChallengePage,
    *,
    finance,
    amount: int = 100_000_000_00,
    reference: str = "DPA-1",
    idempotency_key: str = "dpa-1",
):
    """A finance officer records budget allocated to the challenge's fund."""
    from marketplace.challenges.services import funds

    return funds.allocation_record(
        challenge=challenge_page,
        amount=amount,
        by=finance,
        reference=reference,
        idempotency_key=idempotency_key,
    )


def close_challenge(challenge_page: ChallengePage) -> None:
    """Move the challenge's closing time into the past (a minute ago), as if its call had
    ended: awards and published results wait for that."""
    ChallengePage.objects.filter(pk=challenge_page.pk, closes_at__gt=timezone.now()).update(
        closes_at=timezone.now() - datetime.timedelta(minutes=1)
    )


def awarded_proposal(
    proposal,
    *,
    official,
    amount: int | None = None,
    milestones: int = 3,
    accepted_by=None,
):
    """The challenge closes and the official awards ``amount`` (by default what the proposal
    requested) in equal milestones ("Tahap 1", …, due in 30 days); with ``accepted_by`` the
    owner has accepted the agreement, so the project has started. Returns the award."""
    from marketplace.awards.services import awards

    close_challenge(proposal.challenge)
    amount = proposal.requested_amount if amount is None else amount
    due = timezone.localdate() + datetime.timedelta(days=30)
    # Equal milestones; the last one takes what does not divide evenly.
    shares = [amount // milestones] * milestones
    shares[-1] += amount - sum(shares)
    award = awards.award_create(
        proposal=proposal,
        amount=amount,
        milestones=[
            awards.MilestonePlan(title=f"Tahap {n}", amount=share, due_date=due)
            for n, share in enumerate(shares, start=1)
        ],
        by=official,
    )
    if accepted_by is not None:
        accept_agreement(award, accepted_by)
    return award


# Money ---------------------------------------------------------------------------------------


def sponsor_pledge(
    challenge_page: ChallengePage,
    *,
    finance,
    amount: int,
    sponsor=None,
    name: str = "PT Mitra Uji",
    public: bool = True,
    bank_reference: str = "BNI-1",
):
    """A sponsor pledges ``amount`` to the challenge's fund and a finance officer confirms the
    bank transfer: the money is in the fund. Returns the contribution."""
    from marketplace.challenges.services import funds
    from payments import api as payments_api
    from payments.models import Contribution

    pledge = payments_api.contribution_create(
        fund=funds.challenge_fund(challenge_page),
        by=sponsor or UserFactory(),
        sponsor_name=name,
        email="mitra@contoh.id",
        public=public,
        amount=amount,
        rail=Contribution.Rail.PLEDGE,
    )
    payments_api.pledge_confirm(contribution=pledge, by=finance, bank_reference=bank_reference)
    return pledge


def milestone_paid(award, *, owner, official, finance, bank_reference: str = "SP2D-1"):
    """The award's next unpaid milestone is reported by the grantee's ``owner`` (who accepts the
    agreement first if needed), approved by the ``official`` and paid by bank transfer by the
    ``finance`` officer (bank details given and verified the first time). Returns the milestone."""
    from django.core.files.uploadedfile import SimpleUploadedFile

    from marketplace.awards.models import Agreement, Milestone
    from marketplace.awards.services import awards as awards_services
    from marketplace.awards.services import determinations
    from marketplace.finance import services as payout_services
    from payments import api as payments_api
    from payments.models import Disbursement

    award.refresh_from_db()
    if award.agreement.status != Agreement.Status.ACCEPTED:
        accept_agreement(award, owner)
    organisation_obj = award.proposal.organisation
    if payments_api.recipient_for(payee_reference=f"organisation:{organisation_obj.pk}") is None:
        bank_details_verified(
            organisation_obj, owner=owner, official=UserFactory(roles=["official"]), account_holder="Penerima"
        )
    milestone = award.milestones.exclude(status=Milestone.Status.PAID).order_by("position").first()
    determinations.milestone_report(milestone=milestone, by=owner, report="Selesai dikerjakan.")
    approved = awards_services.milestone_approve(milestone=milestone, by=official)
    disbursement = Disbursement.objects.get(pk=approved.disbursement_id)
    awards_services.disbursement_release(disbursement=disbursement, by=finance)
    payout_services.disbursement_record_paid(
        disbursement=Disbursement.objects.get(pk=disbursement.pk),
        by=finance,
        bank_reference=bank_reference,
        proof=SimpleUploadedFile("sp2d.pdf", b"%PDF-1.4\n%%EOF\n", content_type="application/pdf"),
    )
    milestone.refresh_from_db()
    return milestone


def signed_in_client(user):
    """A test client signed in as ``user`` (force_login: the sign-in itself is tested in
    tests/organisations/test_accounts.py and tests/security/test_signin.py)."""
    from django.test import Client

    client = Client()
    client.force_login(user)
    return client


# The confirmation page's "Yes": an irreversible step (submit, withdraw, approve, release, publish)
# is done only by a POST that carries it (core.views.Confirmation).
CONFIRM = {"confirm": "yes"}


def confirmed(data: dict | None = None) -> dict:
    """``data`` as posted from the confirmation page."""
    return {**(data or {}), **CONFIRM}
