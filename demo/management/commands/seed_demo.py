"""Load the demo data set (``marketplace.demo_data``): regions, agencies, challenges, users,
organisations, proposals in every state, budget allocations, funded projects, and the judging
of two closed rounds (screening, reviewer pools, assignments, conflicts of interest, reviews,
decisions, an award with conditions) with revisions and re-plans on the funded projects.

Idempotent: everything is looked up by its natural key first and only what is missing is
created, so a second run changes nothing. Writes go through the services wherever one exists.
"""

from __future__ import annotations

import datetime
import io
import time

from allauth.account.models import EmailAddress
from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.hashers import make_password
from django.contrib.auth.models import Group
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction
from django.utils import timezone
from PIL import Image, ImageDraw, ImageFont
from wagtail.models import GroupPagePermission, Revision
from wagtail.rich_text import RichText

from cms.models import HomePage
from core import chains
from core.errors import DomainError
from core.models import AuditEntry
from core.references import organisation_reference
from core.roles import ALL_GROUPS, OFFICIAL_GROUP
from demo import data as demo_data
from marketplace.awards.models import Agreement, Award, Milestone, ProgressReport
from marketplace.awards.services import awards as awards_services
from marketplace.awards.services import determinations
from marketplace.awards.services import determinations as determinations_services
from marketplace.awards.services import progress as progress_services
from marketplace.awards.services import texts as awards_text_services
from marketplace.awards.services.awards import incentive_draw_down
from marketplace.challenges.models.challenges import ChallengePage, ChallengeSponsor, Criterion, Incentive
from marketplace.challenges.models.questions import Question
from marketplace.challenges.models.regions import Agency, ChallengeIndexPage, RegionPage, Sector
from marketplace.challenges.models.snippets import Beneficiary, SDGTag, Sponsor
from marketplace.challenges.services import funds as challenges_services
from marketplace.challenges.services import questions as question_services
from marketplace.challenges.services.challenges import region_setup_permissions
from marketplace.finance import services as payout_services
from marketplace.organisations.models.organisations import (
    INVITATION_LIFETIME,
    Organisation,
    OrganisationInvitation,
)
from marketplace.organisations.models.partners import PartnerListing, PartnershipRequest
from marketplace.organisations.services import organisations as organisations_services
from marketplace.organisations.services import partners as partner_services
from marketplace.proposals.models.parts import ProposalPartner
from marketplace.proposals.models.proposals import Proposal
from marketplace.proposals.services import attachments as attachments_proposals_services
from marketplace.proposals.services import consortium as consortium_proposals_services
from marketplace.proposals.services import drafts as drafts_proposals_services
from marketplace.proposals.services import submission as submission_proposals_services
from marketplace.review.models import (
    ChallengeReviewer,
    ConflictDeclaration,
    Review,
    ReviewAssignment,
    ScreeningCheck,
)
from marketplace.review.services import assignments as assignments_review_services
from marketplace.review.services import pool as pool_review_services
from marketplace.review.services import scoring as scoring_services
from marketplace.review.services import screening as screening_review_services
from payments import api as payments_api
from payments import contribution_services
from payments.api import PaymentError
from payments.models import Contribution, Disbursement, Recipient, Transaction


def demo_pdf(*lines: str) -> bytes:
    """A one-page PDF showing ``lines``: a few hundred bytes, valid, and recognised as a PDF by
    its content like a real upload (the document services read the type from the bytes)."""

    def literal(text: str) -> bytes:
        escaped = text.replace("\\", "\\\\").replace("(", "\\(").replace(")", "\\)")
        return b"(" + escaped.encode("cp1252", "replace") + b")"

    text = b"BT /F1 14 Tf 72 770 Td " + b" 0 -24 Td ".join(literal(line) + b" Tj" for line in lines) + b" ET"
    objects = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Contents 4 0 R"
        b" /Resources << /Font << /F1 5 0 R >> >> >>",
        b"<< /Length %d >>\nstream\n%b\nendstream" % (len(text), text),
        b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica /Encoding /WinAnsiEncoding >>",
    ]
    pdf, offsets = bytearray(b"%PDF-1.4\n"), []
    for number, body in enumerate(objects, start=1):
        offsets.append(len(pdf))
        pdf += b"%d 0 obj\n%b\nendobj\n" % (number, body)
    xref = len(pdf)
    pdf += b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1)
    pdf += b"".join(b"%010d 00000 n \n" % offset for offset in offsets)
    pdf += b"trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (len(objects) + 1, xref)
    return bytes(pdf)


def demo_png(title: str, *labels: str) -> bytes:
    """A small PNG sketch: ``title`` above a row of labelled boxes, like a floor plan or a
    screen mock-up attached to a proposal. Recognised as a PNG by its content."""
    image = Image.new("RGB", (640, 360), "white")
    draw = ImageDraw.Draw(image)
    draw.rectangle((0, 0, 639, 56), fill="#1e3a5f")
    draw.text((20, 16), title, fill="white", font=ImageFont.load_default(size=22))
    font = ImageFont.load_default(size=18)
    width = (600 - 20 * (len(labels) - 1)) // max(len(labels), 1)
    for i, label in enumerate(labels):
        left = 20 + i * (width + 20)
        draw.rectangle((left, 100, left + width, 300), outline="#1e3a5f", width=3)
        draw.text((left + width // 2, 200), label, fill="#1e3a5f", font=font, anchor="mm")
    buffer = io.BytesIO()
    image.save(buffer, format="PNG", optimize=True)
    return buffer.getvalue()


def demo_logo(initials: str, colour: str) -> bytes:
    """A 256x256 PNG logo: white ``initials`` on a ``colour`` background."""
    image = Image.new("RGB", (256, 256), colour)
    draw = ImageDraw.Draw(image)
    size = 112 if len(initials) <= 2 else 84
    draw.text((128, 128), initials, fill="white", font=ImageFont.load_default(size=size), anchor="mm")
    buffer = io.BytesIO()
    image.save(buffer, format="PNG", optimize=True)
    return buffer.getvalue()


class Command(BaseCommand):
    help = "Load demo regions, challenges, users, organisations, proposals and money. Safe to run twice."

    def add_arguments(self, parser):
        parser.add_argument(
            "--force",
            action="store_true",
            help="Run even though DEBUG is off. The demo users share one known password.",
        )

    def handle(self, *args, force: bool = False, **options):
        if not settings.DEBUG and not force:
            raise CommandError(
                "DEBUG is off: seed_demo creates users with a shared, published password "
                "(settings.DEMO_PASSWORD), so it does not run on what may be a production site. "
                "Pass --force if this really is a demo site."
            )
        if not HomePage.objects.exists():
            raise CommandError("There is no home page; run `manage.py migrate` first.")

        self.users, self.sectors, self.regions, self.agencies = {}, {}, {}, {}
        self.organisations, self.owner_of, self.challenges, self.proposals = {}, {}, {}, {}

        started = time.monotonic()
        steps = [
            ("Sectors", self.seed_sectors),
            ("Users", self.seed_users),
            ("Regions", self.seed_regions),
            ("Agencies", self.seed_agencies),
            ("Treasury accounts", self.seed_treasury_accounts),
            ("Page permissions", self.seed_page_permissions),
            ("Challenges", self.seed_challenges),
            ("Challenge details", self.seed_challenge_details),
            ("Challenges awaiting approval", self.seed_challenges_awaiting_approval),
            ("Scheduled challenges", self.seed_scheduled_challenges),
            ("Organisations", self.seed_organisations),
            ("Verification documents", self.seed_verification),
            ("Organisation logos", self.seed_organisation_logos),
            ("Membership invitations", self.seed_membership_invitations),
            ("Proposals", self.seed_proposals),
            ("Consortium invitations", self.seed_consortium_invitations),
            ("Proposal attachments", self.seed_proposal_attachments),
            ("Allocations", self.seed_allocations),
            ("Sponsor contributions", self.seed_contributions),
            ("Awards", self.seed_awards),
            ("Outcomes", self.seed_outcomes),
            ("In-kind draw-downs", self.seed_drawdowns),
            ("Questions", self.seed_questions),
            ("Partner finding", self.seed_partner_finding),
            ("Screening", self.seed_screening),
            ("Reviewer pools", self.seed_reviewer_pools),
            ("Review assignments", self.seed_review_assignments),
            ("Conflict declarations", self.seed_conflict_declarations),
            ("Reviews", self.seed_reviews),
            ("Decisions after review", self.seed_judging_decisions),
            ("Awards with conditions", self.seed_judged_awards),
            ("English texts", self.seed_english),
            ("Milestone revisions and re-plans", self.seed_milestone_changes),
            ("Published chain heads", self.seed_chain_heads),
        ]
        for label, step in steps:
            step_started = time.monotonic()
            try:
                with transaction.atomic():
                    summary = step(label)
            except (DomainError, PaymentError) as exc:
                raise CommandError(f"{label}: {exc.message}") from exc
            elapsed = time.monotonic() - step_started
            self.stdout.write(f"{label}… {summary} ({elapsed:.1f} s)")

        self.stdout.write(self.style.SUCCESS(f"Demo data ready in {time.monotonic() - started:.1f} s."))
        self.print_users()

    # Helpers -------------------------------------------------------------------------------

    def progress(self, label: str, done: int, total: int) -> None:
        """A running counter for the slow sections, on terminals only (logs get the summary)."""
        if self.stdout.isatty():
            self.stdout.write(f"{label}… {done}/{total}", ending="\r")
            self.stdout.flush()

    @staticmethod
    def counted(total: int, created: int, of: int | None = None) -> str:
        shown = f"{total}/{of}" if of is not None else str(total)
        return f"{shown} ({created} new)"

    def window(self, region: RegionPage, opens_in: int, closes_in: int) -> tuple[datetime.datetime, ...]:
        """Opens at 08:00 and closes at 23:59, region time, ``n`` days from today."""
        zone = region.zoneinfo
        today = timezone.localdate(timezone=zone)
        opens = datetime.datetime.combine(
            today + datetime.timedelta(days=opens_in), datetime.time(8, 0), tzinfo=zone
        )
        closes = datetime.datetime.combine(
            today + datetime.timedelta(days=closes_in), datetime.time(23, 59), tzinfo=zone
        )
        return opens, closes

    # Sections ------------------------------------------------------------------------------

    def seed_sectors(self, label: str) -> str:
        created = 0
        for slug, name, name_en in demo_data.SECTORS:
            sector, was_created = Sector.objects.get_or_create(
                slug=slug, defaults={"name": name, "name_en": name_en}
            )
            self.sectors[slug] = sector
            created += was_created
        return self.counted(len(self.sectors), created)

    def seed_users(self, label: str) -> str:
        User = get_user_model()
        groups = {group.name: group for group in Group.objects.filter(name__in=ALL_GROUPS)}
        missing = set(ALL_GROUPS) - set(groups)
        if missing:
            raise CommandError(
                f"The role groups {sorted(missing)} do not exist; run `manage.py migrate` first."
            )
        created, password_hash = 0, None
        for spec in demo_data.USERS:
            user = User.objects.filter(username=spec["username"]).first()
            if user is None:
                # Hashing is slow on purpose; the users share one password, so hash it once.
                password_hash = password_hash or make_password(settings.DEMO_PASSWORD)
                user = User.objects.create_user(
                    username=spec["username"],
                    email=f"{spec['username']}@{demo_data.USER_EMAIL_DOMAIN}",
                    password=None,
                    first_name=spec["first_name"],
                    last_name=spec["last_name"],
                    is_staff=spec["is_staff"],
                )
                user.password = password_hash
                user.save(update_fields=["password"])
                created += 1
            user.groups.add(*(groups[name] for name in spec["groups"]))
            # Demo addresses count as confirmed, so the demo users can sign in straight away.
            EmailAddress.objects.get_or_create(
                user=user, email=user.email, defaults={"verified": True, "primary": True}
            )
            self.users[spec["username"]] = user
        return self.counted(len(self.users), created)

    def seed_regions(self, label: str) -> str:
        created = 0
        for spec in demo_data.REGIONS:
            region = RegionPage.objects.filter(slug=spec["slug"]).first()
            if region is None:
                home = HomePage.objects.get()  # fresh each time: adding a child changes the parent row
                region = RegionPage(
                    title=spec["title"],
                    slug=spec["slug"],
                    level=spec["level"],
                    province=spec["province"],
                    timezone=spec["timezone"],
                    intro=spec["intro"],
                )
                home.add_child(instance=region)
                region.save_revision().publish()
                created += 1
            index = (
                ChallengeIndexPage.objects.child_of(region)
                .filter(slug=demo_data.CHALLENGE_INDEX["slug"])
                .first()
            )
            if index is None:
                index = ChallengeIndexPage(**demo_data.CHALLENGE_INDEX)
                region.add_child(instance=index)
                index.save_revision().publish()
            self.regions[spec["slug"]] = region
        return self.counted(len(self.regions), created)

    def seed_agencies(self, label: str) -> str:
        created = 0
        for spec in demo_data.AGENCIES:
            agency, was_created = Agency.objects.get_or_create(
                region=self.regions[spec["region"]], name=spec["name"], defaults={"acronym": spec["acronym"]}
            )
            agency.officials.add(*(self.users[username] for username in spec["officials"]))
            agency.heads.add(*(self.users[username] for username in spec.get("heads", [])))
            self.agencies[spec["key"]] = agency
            created += was_created
        return self.counted(len(self.agencies), created)

    def seed_treasury_accounts(self, label: str) -> str:
        for spec in demo_data.TREASURY_ACCOUNTS:
            payout_services.treasury_account_save(
                region=self.regions[spec["region"]],
                by=self.users[spec["by"]],
                bank_name=spec["bank_name"],
                account_number=spec["account_number"],
                account_holder=spec["account_holder"],
            )
        return f"{len(demo_data.TREASURY_ACCOUNTS)} regions"

    def seed_page_permissions(self, label: str) -> str:
        """Each region's officials' group (add and edit under that region only) and the agency
        heads' approval workflow. Grants an earlier demo gave to every official are withdrawn."""
        GroupPagePermission.objects.filter(
            group__name=OFFICIAL_GROUP, page__in=[r.pk for r in self.regions.values()]
        ).delete()
        groups = [region_setup_permissions(region=region) for region in self.regions.values()]
        return ", ".join(sorted(group.name for group in groups))

    def seed_challenges(self, label: str) -> str:
        total, created = len(demo_data.CHALLENGES), 0
        for done, spec in enumerate(demo_data.CHALLENGES, start=1):
            page = ChallengePage.objects.filter(slug=spec["slug"]).first()
            if page is None:
                page, revision = self.create_challenge(spec)
                revision.publish()
                page = ChallengePage.objects.get(pk=page.pk)
                created += 1
            self.challenges[spec["slug"]] = page
            self.progress(label, done, total)
        return self.counted(len(self.challenges), created, of=total)

    def create_challenge(
        self, spec: dict, *, by=None, go_live_at: datetime.datetime | None = None
    ) -> tuple[ChallengePage, Revision]:
        """Add the challenge ``spec`` describes as a draft (not live) with its first revision,
        saved by ``by``, as the admin's "Save draft" does; publishing is the caller's choice."""
        weights = sum(weight for _name, _description, weight in spec["criteria"])
        if weights != 100:
            raise CommandError(f"The criteria of {spec['slug']} weigh {weights}, not 100.")
        agency = self.agencies[spec["agency"]]
        region = agency.region
        opens_at, closes_at = self.window(region, *spec["window"])
        page = ChallengePage(
            title=spec["title"],
            slug=spec["slug"],
            title_en=spec["title_en"],
            summary=spec["summary"],
            summary_en=spec["summary_en"],
            body=[("paragraph", RichText(f"<p>{text}</p>")) for text in spec["body"]],
            agency=agency,
            sector=self.sectors[spec["sector"]],
            opens_at=opens_at,
            closes_at=closes_at,
            go_live_at=go_live_at,
            live=False,
            eligibility=spec["eligibility"],
            incentives=[
                Incentive(kind=kind, amount=amount, description=description, sort_order=i)
                for i, (kind, amount, description) in enumerate(spec["incentives"])
            ],
            criteria=[
                Criterion(name=name, description=description, weight=weight, sort_order=i)
                for i, (name, description, weight) in enumerate(spec["criteria"])
            ],
        )
        index = ChallengeIndexPage.objects.child_of(region).get(slug=demo_data.CHALLENGE_INDEX["slug"])
        index.add_child(instance=page)
        revision = page.save_revision(user=by, log_action=by is not None)
        return page, revision

    def seed_challenge_details(self, label: str) -> str:
        sponsors = {}
        for spec in demo_data.SPONSORS:
            sponsors[spec["name"]], _created = Sponsor.objects.get_or_create(
                name=spec["name"], defaults={"website": spec["website"]}
            )
        changed = 0
        for slug, spec in demo_data.CHALLENGE_DETAILS.items():
            page = ChallengePage.objects.get(pk=self.challenges[slug].pk)
            if self.apply_challenge_details(page, spec, sponsors):
                page.save_revision().publish()
                changed += 1
        return self.counted(len(demo_data.CHALLENGE_DETAILS), changed)

    @staticmethod
    def apply_challenge_details(page: ChallengePage, spec: dict, sponsors: dict) -> bool:
        """Set what the spec describes on ``page``; True when anything was missing."""
        changed = False
        incentives = list(page.incentives.order_by("sort_order", "pk"))
        for position, fields in spec.get("incentives", {}).items():
            for name, value in fields.items():
                if getattr(incentives[position], name) != value:
                    setattr(incentives[position], name, value)
                    changed = True
        today = timezone.localdate(timezone=page.region.zoneinfo)
        for extra in spec.get("extra_incentives", []):
            if any(i.description == extra["description"] for i in incentives):
                continue
            fields = {k: v for k, v in extra.items() if k not in ("provider", "expires_in")}
            incentives.append(
                Incentive(
                    **fields,
                    provider=sponsors.get(extra.get("provider")),
                    expires_on=today + datetime.timedelta(days=extra["expires_in"]),
                    sort_order=len(incentives),
                )
            )
            changed = True
        if changed:
            page.incentives = incentives
        linked = {link.sponsor.name for link in page.sponsors.select_related("sponsor")}
        missing = [(name, role) for name, role in spec.get("sponsors", []) if name not in linked]
        if missing:
            page.sponsors = list(page.sponsors.all()) + [
                ChallengeSponsor(sponsor=sponsors[name], role=role, sort_order=len(linked) + i)
                for i, (name, role) in enumerate(missing)
            ]
            changed = True
        sdgs = list(SDGTag.objects.filter(number__in=spec.get("sdgs", [])))
        if {t.pk for t in sdgs} != set(page.sdg_tags.values_list("pk", flat=True)):
            page.sdg_tags = sdgs
            changed = True
        beneficiaries = list(Beneficiary.objects.filter(slug__in=spec.get("beneficiaries", [])))
        if {b.pk for b in beneficiaries} != set(page.beneficiaries.values_list("pk", flat=True)):
            page.beneficiaries = beneficiaries
            changed = True
        simple = {"districts": spec.get("districts", page.districts)}
        if "contact" in spec:
            contact = ("contact_name", "contact_email", "contact_phone")
            simple.update(zip(contact, spec["contact"], strict=True))
        if "phases" in spec:
            closing_day = timezone.localtime(page.closes_at, page.region.zoneinfo).date()
            names = ("review_ends_on", "award_on", "delivery_ends_on")
            for name, days in zip(names, spec["phases"], strict=True):
                simple[name] = closing_day + datetime.timedelta(days=days)
        for name, value in simple.items():
            if getattr(page, name) != value:
                setattr(page, name, value)
                changed = True
        return changed

    def seed_challenges_awaiting_approval(self, label: str) -> str:
        """Challenges an official saved as a draft and submitted to the region's approval
        workflow, as the admin's "Submit for moderation" does; the region's agency head finds
        them under "Awaiting your review" on the admin dashboard. Once the page exists it is left
        as it is: approved, rejected or withdrawn by hand, it is never submitted again."""
        specs, created = demo_data.CHALLENGES_AWAITING_APPROVAL, 0
        for spec in specs:
            if ChallengePage.objects.filter(slug=spec["slug"]).exists():
                continue
            author = self.users[spec["written_by"]]
            page, _revision = self.create_challenge(spec, by=author)
            workflow = page.get_workflow()
            if workflow is None:
                raise CommandError(f"{spec['slug']}: its region has no approval workflow.")
            workflow.start(page, author)
            created += 1
        pages = ChallengePage.objects.filter(slug__in=[spec["slug"] for spec in specs])
        waiting = sum(1 for page in pages if not page.live and page.workflow_in_progress)
        return f"{self.counted(len(specs), created)}, {waiting} awaiting an agency head"

    def seed_scheduled_challenges(self, label: str) -> str:
        """Challenges an agency head approved to go live later: the page carries the go-live
        time, its revision is published as the approval does, and Wagtail records the time on
        the revision (``approved_go_live_at``) and keeps the page off the site until
        ``manage.py publish_scheduled`` runs after it. Once the page exists it is left as it is,
        also after it went live."""
        specs, created = demo_data.SCHEDULED_CHALLENGES, 0
        for spec in specs:
            if ChallengePage.objects.filter(slug=spec["slug"]).exists():
                continue
            zone = self.agencies[spec["agency"]].region.zoneinfo
            day = timezone.localdate(timezone=zone) + datetime.timedelta(days=spec["go_live_in"])
            go_live_at = datetime.datetime.combine(day, datetime.time(8, 0), tzinfo=zone)
            page, revision = self.create_challenge(
                spec, by=self.users[spec["written_by"]], go_live_at=go_live_at
            )
            revision.publish(user=self.users[spec["approved_by"]])
            created += 1
        pages = ChallengePage.objects.filter(slug__in=[spec["slug"] for spec in specs])
        waiting = sum(1 for page in pages if not page.live and page.approved_schedule)
        return f"{self.counted(len(specs), created)}, {waiting} waiting for their go-live time"

    def seed_drawdowns(self, label: str) -> str:
        created = total = 0
        for slug, spec in demo_data.CHALLENGE_DETAILS.items():
            for drawdown in spec.get("drawdowns", []):
                total += 1
                offers = self.challenges[slug].incentives.order_by("sort_order", "pk")
                incentive = offers[drawdown["incentive"]]
                proposal = self.proposals[drawdown["proposal"]]
                award = Award.objects.select_related("awarded_by").get(proposal=proposal)
                if incentive.drawdowns.filter(award=award).exists():
                    continue
                incentive_draw_down(
                    incentive=incentive, award=award, quantity=drawdown["quantity"], by=award.awarded_by
                )
                created += 1
        return self.counted(total, created)

    def seed_organisations(self, label: str) -> str:
        created = 0
        for spec in demo_data.ORGANISATIONS:
            owner = self.users[spec["owner"]]
            organisation = Organisation.objects.filter(
                name=spec["name"], memberships__user=owner, memberships__role="owner"
            ).first()
            if organisation is None:
                organisation = organisations_services.organisation_create(
                    by=owner,
                    name=spec["name"],
                    kind=spec["kind"],
                    region=self.regions[spec["region"]],
                    sectors=[self.sectors[slug] for slug in spec["sectors"]],
                    description=spec["description"],
                    website=spec["website"],
                )
                created += 1
            self.organisations[spec["key"]] = organisation
            self.owner_of[organisation.pk] = owner
        return self.counted(len(self.organisations), created)

    def seed_verification(self, label: str) -> str:
        """Owners add the legal identifiers, members upload documents, and an official of the
        region verifies after checking them; an organisation without a verifier stays in the
        officials' queue. What is already there (also done by hand in the demo) is kept."""
        documents = uploaded = newly_verified = 0
        for spec in demo_data.ORGANISATIONS:
            plan = demo_data.VERIFICATION.get(spec["key"])
            if plan is None:
                if spec["verified"]:
                    raise CommandError(f"{spec['key']} is to be verified but has no documents to check.")
                continue
            organisation = Organisation.objects.get(pk=self.organisations[spec["key"]].pk)
            owner = self.owner_of[organisation.pk]
            wanted = {name: plan[name] for name in ("nib", "npwp") if name in plan}
            missing = {name: value for name, value in wanted.items() if not getattr(organisation, name)}
            # Not on a verified organisation: a new identifier would take the verification back.
            if missing and not organisation.verified:
                organisation = organisations_services.organisation_update(
                    organisation=organisation, by=owner, **missing
                )
            present = set(organisation.documents.values_list("kind", "original_name"))
            for kind, file_name, title in plan["documents"]:
                documents += 1
                if (kind, file_name) in present:
                    continue
                pdf = demo_pdf(title, demo_data.DEMO_DOCUMENT_NOTE)
                upload = SimpleUploadedFile(file_name, pdf, content_type="application/pdf")
                organisations_services.document_upload(
                    organisation=organisation, by=owner, kind=kind, file=upload
                )
                uploaded += 1
            if spec["verified"] and not organisation.verified:
                organisation = organisations_services.organisation_verify(
                    organisation=organisation, by=self.users[plan["verified_by"]]
                )
                newly_verified += 1
            self.organisations[spec["key"]] = organisation
        keys = [self.organisations[key].pk for key in demo_data.VERIFICATION]
        verified = Organisation.objects.filter(pk__in=keys, verified=True).count()
        return (
            f"{documents} documents ({uploaded} new), {verified} organisations verified "
            f"({newly_verified} new), {len(keys) - verified} waiting for an official"
        )

    def seed_organisation_logos(self, label: str) -> str:
        """Owners upload a logo through the profile service, which checks the image by its
        content. Only the logo changes, so a verified organisation stays verified (only a new
        name, kind, NIB or NPWP takes verification back). An organisation whose logo was ever
        set or removed (the audit trail says so) is left alone."""
        created = 0
        for key, (initials, colour) in demo_data.ORGANISATION_LOGOS.items():
            organisation = Organisation.objects.get(pk=self.organisations[key].pk)
            logo_changed = AuditEntry.objects.filter(
                action="organisation.updated",
                object_type="organisations.organisation",
                object_id=str(organisation.pk),
                after__has_key="logo",
            )
            if organisation.logo or logo_changed.exists():
                continue
            upload = SimpleUploadedFile(
                f"logo-{organisation.slug}.png", demo_logo(initials, colour), content_type="image/png"
            )
            self.organisations[key] = organisations_services.organisation_update(
                organisation=organisation, by=self.owner_of[organisation.pk], logo=upload
            )
            created += 1
        return self.counted(len(demo_data.ORGANISATION_LOGOS), created)

    def seed_membership_invitations(self, label: str) -> str:
        """Owners invite people by email; one invitee has joined, one has not answered yet, and
        one invitation ran out unanswered. Answers given by hand in the demo are left alone."""
        Status = OrganisationInvitation.Status
        created = 0
        for spec in demo_data.MEMBERSHIP_INVITATIONS:
            organisation = self.organisations[spec["organisation"]]
            owner = self.owner_of[organisation.pk]
            invitee = self.users[spec["invitee"]] if "invitee" in spec else None
            email = invitee.email if invitee else spec["email"]
            if invitee is not None and organisation.memberships.filter(user=invitee).exists():
                continue
            sent = list(organisation.invitations.filter(email__iexact=email))
            if spec["state"] == "expired":
                if sent:
                    continue
                invitation = organisations_services.invitation_create(
                    organisation=organisation, by=owner, email=email, role=spec["role"]
                )
                # invitation_create always gives seven days from now, and no service sets another
                # expiry: an invitation expires only as time passes. So both dates are moved back,
                # as if it had been sent "days_ago" days ago and never answered.
                sent_at = timezone.now() - datetime.timedelta(days=spec["days_ago"])
                OrganisationInvitation.objects.filter(pk=invitation.pk).update(
                    created_at=sent_at, expires_at=sent_at + INVITATION_LIFETIME
                )
                created += 1
                continue
            waiting = next((i for i in sent if i.status == Status.PENDING), None)
            if waiting is None and any(i.status in (Status.ACCEPTED, Status.DECLINED) for i in sent):
                continue
            if waiting is None:  # never sent, or only expired ones: (again) invited now
                waiting = organisations_services.invitation_create(
                    organisation=organisation, by=owner, email=email, role=spec["role"]
                )
                created += 1
            if spec["state"] == "accepted":
                organisations_services.invitation_accept(invitation=waiting, by=invitee)
        states = sorted({spec["state"] for spec in demo_data.MEMBERSHIP_INVITATIONS})
        return f"{self.counted(len(demo_data.MEMBERSHIP_INVITATIONS), created)}: {', '.join(states)}"

    def seed_proposals(self, label: str) -> str:
        total, created = len(demo_data.PROPOSALS), 0
        for done, spec in enumerate(demo_data.PROPOSALS, start=1):
            challenge = self.challenges[spec["challenge"]]
            organisation = self.organisations[spec["organisation"]]
            owner = self.owner_of[organisation.pk]
            proposal = Proposal.objects.filter(
                challenge=challenge, organisation=organisation, title=spec["title"]
            ).first()
            if proposal is None:
                proposal = self.create_proposal(spec, challenge, organisation, owner, position=done)
                created += 1
            if spec["state"] != Proposal.Status.DRAFT and proposal.status == Proposal.Status.DRAFT:
                self.fill_proposal(proposal, spec, owner=owner)
            self.advance_proposal(proposal, spec["state"], owner=owner, position=done)
            self.decide_proposal(proposal, spec)
            self.proposals[spec["key"]] = proposal
            self.progress(label, done, total)
        return self.counted(len(self.proposals), created, of=total)

    @staticmethod
    def filing_moment(challenge: ChallengePage, position: int, days_before_close: int) -> datetime.datetime:
        """A moment inside a past round's window, spread a little so proposals do not tie."""
        moment = challenge.closes_at - datetime.timedelta(days=days_before_close, hours=position)
        return max(moment, challenge.opens_at + datetime.timedelta(hours=position))

    def create_proposal(self, spec, challenge, organisation, owner, *, position: int) -> Proposal:
        fields = {
            "by": owner,
            "organisation": organisation,
            "challenge": challenge,
            "title": spec["title"],
            "summary": spec["summary"],
            "plan": spec["plan"],
            "requested_amount": spec["requested_amount"],
        }
        if timezone.now() >= challenge.closes_at:  # filed while a past round was still open
            fields["now"] = self.filing_moment(challenge, position, days_before_close=12)
        return drafts_proposals_services.proposal_create(**fields)

    def advance_proposal(self, proposal: Proposal, target: str, *, owner, position: int) -> None:
        """Walk the proposal's state machine up to ``target``; steps already taken are skipped."""
        Status = Proposal.Status
        challenge = proposal.challenge
        if target != Status.DRAFT and proposal.status == Status.DRAFT:
            now = None
            if timezone.now() >= challenge.closes_at:
                now = self.filing_moment(challenge, position, days_before_close=3)
            submission_proposals_services.proposal_submit(proposal=proposal, by=owner, now=now)
        if target == Status.WITHDRAWN and proposal.status in (Status.DRAFT, Status.SUBMITTED):
            now = None
            if timezone.now() >= challenge.closes_at:  # withdrawn while the round was open
                now = self.filing_moment(challenge, position, days_before_close=2)
            submission_proposals_services.proposal_withdraw(proposal=proposal, by=owner, now=now)
        if target == Status.REJECTED and proposal.status == Status.SUBMITTED:
            submission_proposals_services.proposal_reject(
                proposal=proposal, by=self.users[demo_data.DECIDING_OFFICIAL]
            )

    def fill_proposal(self, proposal: Proposal, spec: dict, *, owner) -> None:
        """Everything the full proposal form asks before submission, and the consortium."""
        details = demo_data.proposal_details(spec)
        start = timezone.localdate(timezone=proposal.challenge.region.zoneinfo)
        start = max(start, proposal.challenge.closes_at.date())
        drafts_proposals_services.proposal_save(
            proposal=proposal,
            by=owner,
            fields={name: details[name] for name in ("problem", "solution", "inclusion", "plan")},
            milestones=[
                drafts_proposals_services.PlannedMilestonePlan(
                    deliverable=title, due_date=start + datetime.timedelta(days=days), amount=amount
                )
                for title, days, amount in details["milestones"]
            ],
            budget_lines=[
                drafts_proposals_services.BudgetLinePlan(
                    category=category, description=description, amount=amount
                )
                for category, description, amount in details["budget"]
            ],
            team=[
                drafts_proposals_services.TeamMemberPlan(name=name, role=role, expertise=expertise)
                for name, role, expertise in details["team"]
            ],
            answers={
                q.pk: "Ya; rinciannya ada di rencana pelaksanaan."
                for q in proposal.challenge.application_questions.all()
            },
        )
        self.seat_partners(proposal, demo_data.PROPOSAL_PARTNERS.get(spec["key"], []), owner=owner)

    def seat_partners(self, proposal: Proposal, specs: list[dict], *, owner) -> int:
        """The lead invites the partners ``specs`` name and each partner's owner answers (or not,
        when "accept" is None). Partners already there, and their answers, are kept. Returns how
        many were invited now."""
        invited = 0
        for spec in specs:
            organisation = self.organisations[spec["organisation"]]
            partner = proposal.partners.filter(organisation=organisation).first()
            if partner is None:
                partner = consortium_proposals_services.proposal_partner_invite(
                    proposal=proposal,
                    by=owner,
                    organisation=organisation,
                    role=spec["role"],
                    budget_share=spec["budget_share"],
                )
                invited += 1
            if partner.status == ProposalPartner.Status.INVITED and spec["accept"] is not None:
                consortium_proposals_services.proposal_partner_respond(
                    partner=partner, by=self.owner_of[organisation.pk], accept=spec["accept"]
                )
        return invited

    def seed_consortium_invitations(self, label: str) -> str:
        """Consortia of proposals still in draft; a submitted proposal's partners were seated
        before it was submitted (``fill_proposal``), since a partner cannot join afterwards."""
        invited = 0
        for key, specs in demo_data.PROPOSAL_PARTNERS.items():
            proposal = Proposal.objects.get(pk=self.proposals[key].pk)
            if proposal.is_editable:
                invited += self.seat_partners(proposal, specs, owner=self.owner_of[proposal.organisation_id])
        partners = ProposalPartner.objects.filter(
            proposal__in=[self.proposals[key].pk for key in demo_data.PROPOSAL_PARTNERS]
        )
        by_status = {status: partners.filter(status=status).count() for status in ProposalPartner.Status}
        return (
            f"{len(demo_data.PROPOSAL_PARTNERS)} consortia, {by_status['accepted']} partners accepted, "
            f"{by_status['invited']} waiting ({invited} new)"
        )

    def seed_proposal_attachments(self, label: str) -> str:
        """The lead's owner attaches a PDF and a PNG to draft proposals through the upload
        service (type by content, size limit, virus-scan hook, private storage). A file ever
        attached (the audit trail says so; removing a file may delete its row) is not added
        again; a proposal submitted since takes no new files and is left alone."""
        total = created = 0
        for key, files in demo_data.PROPOSAL_ATTACHMENTS.items():
            proposal = Proposal.objects.get(pk=self.proposals[key].pk)
            owner = self.owner_of[proposal.organisation_id]
            attached = set(
                AuditEntry.objects.filter(
                    action="proposal.attachment_added",
                    object_type="proposals.proposal",
                    object_id=str(proposal.pk),
                ).values_list("after__name", flat=True)
            )
            for file_name, title, lines in files:
                total += 1
                if file_name in attached or not proposal.is_editable:
                    continue
                if file_name.endswith(".pdf"):
                    content = demo_pdf(title, *lines, demo_data.DEMO_DOCUMENT_NOTE)
                else:
                    content = demo_png(title, *lines)
                attachments_proposals_services.proposal_attachment_add(
                    proposal=proposal, by=owner, upload=SimpleUploadedFile(file_name, content)
                )
                created += 1
        return self.counted(total, created)

    def decide_proposal(self, proposal: Proposal, spec: dict) -> None:
        """Walk a submitted proposal to the officials' step the demo shows; skipped once done."""
        target, note = demo_data.PROPOSAL_DECISIONS.get(spec["key"], ("", ""))
        if not target or proposal.status != Proposal.Status.SUBMITTED:
            return
        steps = {
            "screening": ["screen"],
            "in_review": ["screen", "review"],
            "shortlisted": ["screen", "review", "shortlist"],
            "changes_requested": ["request_changes"],
        }[target]
        official = self.users[demo_data.DECIDING_OFFICIAL]
        for step in steps:
            submission_proposals_services.proposal_decide(
                proposal=proposal, by=official, transition=step, note=note
            )

    def seed_allocations(self, label: str) -> str:
        created = 0
        for spec in demo_data.ALLOCATIONS:
            challenge = self.challenges[spec["challenge"]]
            fund = challenges_services.challenge_fund(challenge)
            # The service is idempotent per key, but a replay still writes an audit entry.
            recorded = fund.transactions.filter(kind=Transaction.Kind.ALLOCATION, reference=spec["reference"])
            if recorded.exists():
                continue
            challenges_services.allocation_record(
                challenge=challenge,
                amount=spec["amount"],
                by=self.users[spec["by"]],
                reference=spec["reference"],
                idempotency_key=f"demo-allocation-{challenge.slug}",
            )
            created += 1
        return self.counted(len(demo_data.ALLOCATIONS), created)

    def seed_contributions(self, label: str) -> str:
        """Sponsors give to challenge funds: by card and by bank transfer pledge, one of them
        partly refunded. Each is found again by its sponsor's idempotency key."""
        created = refunds = 0
        for spec in demo_data.CONTRIBUTIONS:
            sponsor = self.users[spec["sponsor"]]
            fund = challenges_services.challenge_fund(self.challenges[spec["challenge"]])
            key = f"demo-{spec['key']}"
            contribution = Contribution.objects.filter(sponsor=sponsor, idempotency_key=key).first()
            if contribution is None:
                created += 1
                contribution = (
                    self.card_contribution(spec, sponsor=sponsor, fund=fund, key=key)
                    if spec["rail"] == Contribution.Rail.STRIPE
                    else payments_api.contribution_create(
                        fund=fund,
                        by=sponsor,
                        sponsor_name=spec["sponsor_name"],
                        email=sponsor.email,
                        public=spec["public"],
                        amount=spec["amount"],
                        rail=Contribution.Rail.PLEDGE,
                        idempotency_key=key,
                    )
                )
            if spec["rail"] == Contribution.Rail.PLEDGE and spec.get("confirmed_by"):
                # The finance officer found the transfer on the bank statement.
                contribution = payments_api.pledge_confirm(
                    contribution=contribution,
                    by=self.users[spec["confirmed_by"]],
                    bank_reference=spec["bank_reference"],
                )
            refund = spec.get("refund")
            if refund:
                # The same request key: a second run finds the refund already made.
                payments_api.contribution_refund(
                    contribution=contribution,
                    amount=refund["amount"],
                    reason=refund["reason"],
                    by=self.users[refund["by"]],
                    idempotency_key=f"demo-{spec['key']}-refund",
                    bank_reference=refund["bank_reference"],
                )
                refunds += 1
        return f"{len(demo_data.CONTRIBUTIONS)} contributions, {refunds} refunded ({created} new)"

    @staticmethod
    def card_contribution(spec: dict, *, sponsor, fund, key: str) -> Contribution:
        """A card contribution without Stripe. The demo cannot charge a card, so the pending
        contribution is stored as the card form would store it and then recorded paid through
        the service Stripe's ``payment_intent.succeeded`` webhook calls, with a PaymentIntent id
        marked "demo". Stripe's fee is not recorded (it is read from Stripe)."""
        payments_api.check_amount(amount=spec["amount"], rail=Contribution.Rail.STRIPE)
        contribution = Contribution.objects.create(
            fund=fund,
            sponsor=sponsor,
            sponsor_name=spec["sponsor_name"],
            email=sponsor.email,
            public=spec["public"],
            amount=spec["amount"],
            currency=fund.currency,
            rail=Contribution.Rail.STRIPE,
            idempotency_key=key,
            gateway_reference=spec["payment_intent"],
        )
        intent = {
            "id": spec["payment_intent"],
            "object": "payment_intent",
            "amount": spec["amount"],
            "amount_received": spec["amount"],
            "currency": fund.currency.lower(),
            "status": "succeeded",
            "metadata": {"contribution": str(contribution.pk), "demo": "true"},
        }
        return contribution_services.contribution_record_payment(intent=intent)

    def seed_awards(self, label: str) -> str:
        created = milestones = 0
        for spec in demo_data.AWARDS:
            proposal = self.proposals[spec["proposal"]]
            official = self.users[spec["awarded_by"]]
            award = Award.objects.filter(proposal=proposal).first()
            if award is None:
                award = self.create_award(proposal, spec)
                created += 1
            grantee = self.owner_of[proposal.organisation_id]
            self.accept_agreement(award, grantee)
            payee_reference = organisation_reference(proposal.organisation_id)
            recipient = Recipient.objects.filter(payee_reference=payee_reference).first()
            if recipient is None:
                recipient = payments_api.recipient_set_bank_account(
                    payee_reference=payee_reference, by=grantee, **spec["bank"]
                )
            if recipient.rail == Recipient.Rail.MANUAL and not recipient.bank_verified:
                # Nothing is paid to bank details an official of the region has not verified.
                payments_api.recipient_verify_bank_account(payee_reference=payee_reference, by=official)
            for milestone, milestone_spec in zip(
                award.milestones.order_by("position"), spec["milestones"], strict=True
            ):
                self.advance_milestone(milestone, milestone_spec, grantee=grantee, official=official)
                milestones += 1
        return f"{len(demo_data.AWARDS)} projects, {milestones} milestones ({created} new projects)"

    def create_award(self, proposal: Proposal, spec: dict, **extra) -> Award:
        """The award of a demo spec (amount, who awards it, milestones due ``due`` days after
        today in the challenge's region); ``extra`` goes to ``award_create`` as it is."""
        today = timezone.localdate(timezone=proposal.challenge.region.zoneinfo)
        return awards_services.award_create(
            proposal=proposal,
            amount=spec["amount"],
            by=self.users[spec["awarded_by"]],
            milestones=[
                awards_services.MilestonePlan(
                    title=m["title"], amount=m["amount"], due_date=today + datetime.timedelta(days=m["due"])
                )
                for m in spec["milestones"]
            ],
            **extra,
        )

    def accept_agreement(self, award: Award, grantee) -> None:
        """The grantee's owner accepts the award terms (awards made before agreements existed
        get theirs first), so the project's milestones can be reported."""
        agreement = Agreement.objects.filter(award=award).first() or determinations.agreement_create(award)
        if agreement.status == Agreement.Status.PENDING:
            determinations.agreement_accept(
                agreement=agreement,
                by=grantee,
                signer_name=grantee.get_full_name() or grantee.get_username(),
                ip_address=None,
            )

    def advance_milestone(self, milestone: Milestone, spec: dict, *, grantee, official) -> None:
        Status = Milestone.Status
        target = spec["state"]
        if target in (Status.REPORTED, Status.APPROVED, Status.PAID) and milestone.status == Status.PLANNED:
            milestone = determinations_services.milestone_report(
                milestone=milestone, by=grantee, report=spec["report"]
            )
        if target in (Status.APPROVED, Status.PAID) and milestone.status == Status.REPORTED:
            milestone = awards_services.milestone_approve(milestone=milestone, by=official)
        if target == Status.PAID and milestone.status == Status.APPROVED:
            disbursement = Disbursement.objects.get(pk=milestone.disbursement_id)
            finance = self.users[spec["released_by"]]
            if disbursement.status == Disbursement.Status.PENDING:
                disbursement = awards_services.disbursement_release(disbursement=disbursement, by=finance)
            if disbursement.status in (Disbursement.Status.RELEASED, Disbursement.Status.SENT):
                # The treasury paid: finance records the SP2D and its scan; the milestone turns
                # "paid" when payments announces it.
                payout_services.disbursement_record_paid(
                    disbursement=disbursement,
                    by=finance,
                    bank_reference=spec["bank_reference"],
                    proof=SimpleUploadedFile(
                        "sp2d.pdf",
                        demo_pdf("SP2D", spec["bank_reference"], disbursement.description),
                        content_type="application/pdf",
                    ),
                )
        progress = spec.get("progress")
        if progress and not ProgressReport.objects.filter(milestone=milestone).exists():
            progress_services.progress_report_publish(milestone=milestone, by=grantee, **progress)

    def seed_outcomes(self, label: str) -> str:
        changed = 0
        for spec in demo_data.CHALLENGES:
            outcome = spec.get("outcome", "")
            page = ChallengePage.objects.get(pk=self.challenges[spec["slug"]].pk)
            if (
                outcome == ChallengePage.Outcome.AWARDED
                and Award.objects.filter(proposal__challenge=page).exists()
            ):
                # Winners are made public by publishing the results, as an official does.
                if page.results_published_at is None:
                    determinations.results_publish(challenge=page, by=self.users[demo_data.DECIDING_OFFICIAL])
                    changed += 1
                continue
            if not outcome or page.outcome == outcome:
                continue
            # No outcome service yet. Published as a revision, not a bare update, because the
            # admin edits the latest revision: a bare update would be undone by the next publish.
            page.outcome = outcome
            page.save_revision().publish()
            changed += 1
        decided = sum(1 for spec in demo_data.CHALLENGES if spec.get("outcome"))
        return self.counted(decided, changed)

    # Summary -------------------------------------------------------------------------------

    def seed_questions(self, label: str) -> str:
        asked, created = {}, 0
        official = self.users[demo_data.DECIDING_OFFICIAL]
        for spec in demo_data.QUESTIONS:
            challenge = self.challenges[spec["challenge"]]
            question = Question.objects.filter(challenge=challenge, body=spec["body"]).first()
            if question is None:
                question = question_services.question_ask(
                    challenge=challenge, by=self.users[spec["asker"]], body=spec["body"]
                )
                if spec.get("answer"):
                    question_services.question_answer(question=question, by=official, answer=spec["answer"])
                if spec.get("pinned"):
                    question_services.question_pin(question=question, by=official, pinned=True)
                if spec.get("merge_into"):
                    question_services.question_merge(
                        question=question, into=asked[spec["merge_into"]], by=official
                    )
                created += 1
            asked[spec["key"]] = question
        return self.counted(len(asked), created)

    def seed_partner_finding(self, label: str) -> str:
        listings, created = {}, 0
        for spec in demo_data.PARTNER_LISTINGS:
            organisation = self.organisations[spec["organisation"]]
            challenge = self.challenges[spec["challenge"]]
            listing = PartnerListing.objects.filter(challenge=challenge, organisation=organisation).first()
            if listing is None:
                listing = partner_services.partner_listing_save(
                    challenge=challenge,
                    organisation=organisation,
                    by=self.owner_of[organisation.pk],
                    offers=spec["offers"],
                    needs=spec["needs"],
                )
                created += 1
            listings[spec["key"]] = listing
        for spec in demo_data.PARTNERSHIP_REQUESTS:
            listing, organisation = listings[spec["listing"]], self.organisations[spec["from"]]
            if not PartnershipRequest.objects.filter(
                listing=listing, from_organisation=organisation
            ).exists():
                partner_services.partnership_request_send(
                    listing=listing,
                    from_organisation=organisation,
                    by=self.owner_of[organisation.pk],
                    message=spec["message"],
                )
                created += 1
        return self.counted(len(listings) + len(demo_data.PARTNERSHIP_REQUESTS), created)

    # Judging -------------------------------------------------------------------------------
    # Each write is done only while the record is in the state the spec starts from, so what
    # was done by hand in the demo (a declaration, a review reopened, a proposal decided) is
    # left as it is, and a second run calls no service at all.

    def judge(self, key: str):
        """A reviewer: a demo user by username, or an invited expert by key (None until invited)."""
        if key in self.users:
            return self.users[key]
        spec = next(spec for spec in demo_data.EXTERNAL_REVIEWERS if spec["key"] == key)
        return get_user_model().objects.filter(email__iexact=spec["email"]).first()

    def assignment_of(self, proposal_key: str, reviewer_key: str) -> ReviewAssignment | None:
        reviewer = self.judge(reviewer_key)
        if reviewer is None:
            return None
        return ReviewAssignment.objects.filter(
            proposal=self.proposals[proposal_key], reviewer=reviewer
        ).first()

    def judging_official(self, proposal: Proposal):
        """The official who manages the reviewers of the proposal's challenge."""
        pool = next(
            p for p in demo_data.REVIEWER_POOLS if self.challenges[p["challenge"]].pk == proposal.challenge_id
        )
        return self.users[pool["by"]]

    def judged(self, model, path: str):
        """Rows of ``model`` on the judged challenges' proposals (``path`` leads to the proposal)."""
        challenges = [self.challenges[pool["challenge"]].pk for pool in demo_data.REVIEWER_POOLS]
        return model.objects.filter(**{f"{path}__challenge__in": challenges})

    def seed_screening(self, label: str) -> str:
        """An official starts the screening with the checklist the automatic checks pre-fill,
        confirms the item judged by hand, and passes the proposal on to review or rejects it with
        the reason the applicant reads."""
        Status, Outcome = Proposal.Status, ScreeningCheck.Outcome
        decided = 0
        for spec in demo_data.SCREENING:
            proposal = Proposal.objects.get(pk=self.proposals[spec["proposal"]].pk)
            check = ScreeningCheck.objects.filter(proposal=proposal).first()
            if check and check.outcome != Outcome.PENDING:
                continue
            if proposal.status not in (Status.SUBMITTED, Status.SCREENING):
                continue  # decided without a screening (an earlier demo) or withdrawn: left alone
            official = self.users[spec["by"]]
            screening_review_services.screening_start(proposal=proposal, by=official)
            if spec.get("reject"):
                screening_review_services.screening_reject(
                    proposal=proposal,
                    by=official,
                    reason=spec["reject"],
                    decisions={
                        "in_scope": screening_review_services.ItemDecision(
                            False, spec.get("in_scope_note", "")
                        )
                    },
                )
            else:
                screening_review_services.screening_pass(
                    proposal=proposal,
                    by=official,
                    decisions={"in_scope": screening_review_services.ItemDecision(True)},
                )
            decided += 1
        checks = ScreeningCheck.objects.filter(
            proposal__in=[self.proposals[spec["proposal"]].pk for spec in demo_data.SCREENING]
        )
        passed = checks.filter(outcome=Outcome.PASSED).count()
        failed = checks.filter(outcome=Outcome.FAILED).count()
        return f"{self.counted(len(demo_data.SCREENING), decided)}: {passed} eligible, {failed} not eligible"

    def seed_reviewer_pools(self, label: str) -> str:
        """Officials add the staff reviewers to their challenge's pool and invite the external
        expert by email (an account with the reviewer role), then set the staff reviewers'
        expertise; an expertise ever set (also by hand) is left as it is."""
        externals = {spec["key"]: spec for spec in demo_data.EXTERNAL_REVIEWERS}
        created = 0
        for pool in demo_data.REVIEWER_POOLS:
            challenge, official = self.challenges[pool["challenge"]], self.users[pool["by"]]
            for key in pool["reviewers"]:
                user = self.judge(key)
                if user is None:
                    spec = externals[key]
                    pool_review_services.reviewer_invite_external(
                        challenge=self.challenges[spec["challenge"]],
                        by=self.users[spec["invited_by"]],
                        full_name=spec["full_name"],
                        email=spec["email"],
                        expertise=spec["expertise"],
                        sectors=[self.sectors[slug] for slug in spec["sectors"]],
                    )
                    created += 1
                    user = self.judge(key)
                if not ChallengeReviewer.objects.filter(challenge=challenge, user=user).exists():
                    pool_review_services.reviewer_pool_add(challenge=challenge, user=user, by=official)
                    created += 1
        expertise_set = 0
        for username, (tags, sectors) in demo_data.REVIEWER_EXPERTISE.items():
            user = self.users[username]
            if AuditEntry.objects.filter(
                action="reviewer.expertise_updated", object_type="auth.user", object_id=str(user.pk)
            ).exists():
                continue
            pool = next(p for p in demo_data.REVIEWER_POOLS if username in p["reviewers"])
            pool_review_services.reviewer_expertise_update(
                reviewer=ChallengeReviewer.objects.get(
                    challenge=self.challenges[pool["challenge"]], user=user
                ),
                by=self.users[pool["by"]],
                expertise=tags,
                sectors=[self.sectors[slug] for slug in sectors],
            )
            expertise_set += 1
        rows = ChallengeReviewer.objects.filter(
            challenge__in=[self.challenges[pool["challenge"]].pk for pool in demo_data.REVIEWER_POOLS]
        )
        return (
            f"{self.counted(rows.count(), created)} reviewers in {len(demo_data.REVIEWER_POOLS)} pools, "
            f"{rows.filter(external=True).count()} external; expertise "
            f"{self.counted(len(demo_data.REVIEWER_EXPERTISE), expertise_set)}"
        )

    def seed_review_assignments(self, label: str) -> str:
        """The officials assign by suggestion (expertise fit, then load) once, when the challenge
        has no assignment yet; then one reviewer is taken off a proposal before declaring, with
        a reason, and another is assigned by hand."""
        created = 0
        for pool in demo_data.REVIEWER_POOLS:
            challenge = self.challenges[pool["challenge"]]
            proposals = Proposal.objects.filter(challenge=challenge)
            if ReviewAssignment.objects.filter(proposal__in=proposals).exists():
                continue
            if proposals.filter(status=Proposal.Status.IN_REVIEW).exists():
                result = assignments_review_services.assignments_create_suggested(
                    challenge=challenge, by=self.users[pool["by"]]
                )
                created += len(result.created)
        removed = 0
        for spec in demo_data.ASSIGNMENT_REMOVALS:
            assignment = self.assignment_of(spec["proposal"], spec["reviewer"])
            if assignment is None:
                continue
            proposal = Proposal.objects.get(pk=assignment.proposal_id)
            official = self.judging_official(proposal)
            if assignment.status == ReviewAssignment.Status.AWAITING_DECLARATION:
                assignments_review_services.assignment_remove(
                    assignment=assignment, by=official, reason=spec["reason"]
                )
                removed += 1
            created += self.assign_replacement(assignment, proposal, spec["replaced_by"], official)
        assignments = self.judged(ReviewAssignment, "proposal")
        return (
            f"{self.counted(assignments.count(), created)}, "
            f"{assignments.filter(status=ReviewAssignment.Status.REMOVED).count()} removed ({removed} new)"
        )

    def assign_replacement(self, ended: ReviewAssignment, proposal: Proposal, key: str, official) -> int:
        """After ``ended`` was removed or ended in a conflict, an official assigns the reviewer
        ``key`` by hand (once: not when that reviewer was ever assigned to the proposal)."""
        ended.refresh_from_db(fields=["status"])
        if ended.status in (ReviewAssignment.Status.AWAITING_DECLARATION, ReviewAssignment.Status.ACTIVE):
            return 0
        proposal.refresh_from_db(fields=["status"])
        reviewer = self.judge(key)
        if (
            proposal.status != Proposal.Status.IN_REVIEW
            or proposal.review_assignments.filter(reviewer=reviewer).exists()
        ):
            return 0
        assignments_review_services.assignment_create(proposal=proposal, reviewer=reviewer, by=official)
        return 1

    def seed_conflict_declarations(self, label: str) -> str:
        """Before seeing a proposal each reviewer declares: a conflict of interest (the
        assignment ends and an official assigns someone else by hand) or none (they may review).
        An assignment with nothing to declare in the demo waits for its reviewer."""
        Status = ReviewAssignment.Status
        declared = replaced = 0
        for spec in demo_data.CONFLICTS:
            assignment = self.assignment_of(spec["proposal"], spec["reviewer"])
            if assignment is None:
                continue
            proposal = Proposal.objects.get(pk=assignment.proposal_id)
            if (
                assignment.status == Status.AWAITING_DECLARATION
                and proposal.status == Proposal.Status.IN_REVIEW
            ):
                assignments_review_services.assignment_declare(
                    assignment=assignment,
                    by=self.judge(spec["reviewer"]),
                    has_conflict=True,
                    note=spec["note"],
                )
                declared += 1
            replaced += self.assign_replacement(
                assignment, proposal, spec["replaced_by"], self.judging_official(proposal)
            )
        for spec in demo_data.REVIEWS:
            assignment = self.assignment_of(spec["proposal"], spec["reviewer"])
            if assignment is None or assignment.status != Status.AWAITING_DECLARATION:
                continue
            if Proposal.objects.get(pk=assignment.proposal_id).status != Proposal.Status.IN_REVIEW:
                continue
            assignments_review_services.assignment_declare(
                assignment=assignment, by=self.judge(spec["reviewer"]), has_conflict=False
            )
            declared += 1
        declarations = self.judged(ConflictDeclaration, "assignment__proposal")
        conflicts = declarations.filter(has_conflict=True).count()
        waiting = self.judged(ReviewAssignment, "proposal").filter(status=Status.AWAITING_DECLARATION).count()
        return (
            f"{self.counted(declarations.count(), declared)}; conflicts of interest: {conflicts} "
            f"({replaced} replaced by hand now); waiting for a declaration: {waiting}"
        )

    def seed_reviews(self, label: str) -> str:
        """Reviewers score each criterion with a comment, recommend, and write to the applicant
        and (privately) to the officials; most submit, one keeps a draft, and one review is
        reopened by an official with a reason and submitted again. A review that exists (also
        one written by hand) is left as it is."""
        written = 0
        for spec in demo_data.REVIEWS:
            assignment = self.assignment_of(spec["proposal"], spec["reviewer"])
            if assignment is None or assignment.status != ReviewAssignment.Status.ACTIVE:
                continue
            if Review.objects.filter(assignment=assignment).exists():
                continue
            proposal = Proposal.objects.select_related("challenge").get(pk=assignment.proposal_id)
            if proposal.status != Proposal.Status.IN_REVIEW:
                continue
            reviewer = self.judge(spec["reviewer"])
            criteria = proposal.challenge.criteria.order_by("sort_order", "pk")
            scores = [
                scoring_services.ScoreInput(criterion_id=criterion.pk, score=score, comment=comment)
                for criterion, (score, comment) in zip(criteria, spec["scores"], strict=True)
                if score is not None
            ]
            given = {
                "assignment": assignment,
                "by": reviewer,
                "scores": scores,
                "recommendation": spec["recommendation"] or None,
                "private_notes": spec["notes"],
            }
            if spec.get("draft"):
                scoring_services.review_save_draft(**given, overall_comment=spec["comment"])
            elif "reopened" in spec:
                review = scoring_services.review_submit(**given, overall_comment=spec["first_comment"])
                reopened = spec["reopened"]
                scoring_services.review_reopen(
                    review=review, by=self.users[reopened["by"]], reason=reopened["reason"]
                )
                scoring_services.review_submit(
                    assignment=assignment, by=reviewer, overall_comment=spec["comment"]
                )
            else:
                scoring_services.review_submit(**given, overall_comment=spec["comment"])
            written += 1
        reviews = self.judged(Review, "assignment__proposal")
        submitted = reviews.filter(status=Review.Status.SUBMITTED).count()
        drafts = reviews.filter(status=Review.Status.DRAFT).count()
        reopened = reviews.filter(reopened_at__isnull=False).count()
        return (
            f"{self.counted(reviews.count(), written)}: {submitted} submitted, {drafts} draft, "
            f"{reopened} reopened by an official"
        )

    def seed_judging_decisions(self, label: str) -> str:
        """After the reviews the officials shortlist or reject (the applicant reads the note and,
        once rejected, the reviewers' comments); only proposals still in review are decided."""
        Status = Proposal.Status
        still_open = {"shortlist": (Status.IN_REVIEW,), "reject": (Status.IN_REVIEW, Status.SHORTLISTED)}
        decided = 0
        for spec in demo_data.JUDGING_DECISIONS:
            proposal = Proposal.objects.get(pk=self.proposals[spec["proposal"]].pk)
            if proposal.status not in still_open[spec["transition"]]:
                continue
            submission_proposals_services.proposal_decide(
                proposal=proposal, by=self.users[spec["by"]], transition=spec["transition"], note=spec["note"]
            )
            decided += 1
        return self.counted(len(demo_data.JUDGING_DECISIONS), decided)

    def seed_judged_awards(self, label: str) -> str:
        """An official awards a reviewed proposal below the amount asked, with conditions and
        in-kind support; its agreement waits for the grantee's owner. The results stay
        unpublished: the officials see the winners with the button that publishes them."""
        Status = Proposal.Status
        created = 0
        for spec in demo_data.JUDGED_AWARDS:
            proposal = Proposal.objects.select_related("challenge").get(
                pk=self.proposals[spec["proposal"]].pk
            )
            if Award.objects.filter(proposal=proposal).exists():
                continue
            if proposal.status not in (Status.IN_REVIEW, Status.SHORTLISTED):
                continue
            challenge = proposal.challenge
            offers = {incentive.description: incentive.pk for incentive in challenge.incentives.all()}
            self.create_award(
                proposal,
                spec,
                conditions=spec["conditions"],
                in_kind={offers[description]: quantity for description, quantity in spec["in_kind"]},
            )
            created += 1
        keys = [self.proposals[spec["proposal"]].pk for spec in demo_data.JUDGED_AWARDS]
        waiting = Agreement.objects.filter(award__proposal__in=keys, status=Agreement.Status.PENDING).count()
        return f"{self.counted(len(demo_data.JUDGED_AWARDS), created)}; agreements to accept: {waiting}"

    def seed_english(self, label: str) -> str:
        """The English twins of challenges' and projects' public texts (``CHALLENGES_EN``,
        ``PROJECTS_EN``), agencies' names and regions' intros (``name_en``/``intro_en`` in
        ``AGENCIES``/``REGIONS``; sectors have theirs from the start): a challenge or region gets
        a new published revision, as an editor filling in the English panel would; a project's
        texts go through the officials' service."""
        pages = 0
        for slug, spec in demo_data.CHALLENGES_EN.items():
            page = ChallengePage.objects.get(pk=self.challenges[slug].pk)
            if self.apply_english(page, spec):
                page.save_revision().publish()
                pages += 1
        projects = 0
        for key, spec in demo_data.PROJECTS_EN.items():
            award = Award.objects.select_related("proposal__challenge").get(proposal=self.proposals[key])
            milestones = list(award.milestones.order_by("position", "due_date"))
            titles = {m.pk: title for m, title in zip(milestones, spec["milestones"], strict=True)}
            if award.title_en == spec["title_en"] and all(m.title_en == titles[m.pk] for m in milestones):
                continue
            official = self.users[demo_data.DECIDING_OFFICIAL]
            awards_text_services.project_english_set(
                award=award,
                by=official,
                title_en=spec["title_en"],
                summary_en=spec["summary_en"],
                milestone_titles_en=titles,
            )
            projects += 1
        names = 0
        for spec in demo_data.AGENCIES:
            agency = self.agencies[spec["key"]]
            if agency.name_en != spec.get("name_en", ""):
                agency.name_en = spec.get("name_en", "")
                agency.save(update_fields=["name_en"])
                names += 1
        for spec in demo_data.REGIONS:
            region = RegionPage.objects.get(pk=self.regions[spec["slug"]].pk)
            if region.intro_en != spec.get("intro_en", ""):
                region.intro_en = spec.get("intro_en", "")
                region.save_revision().publish()
                names += 1
        return (
            f"{len(demo_data.CHALLENGES_EN)} challenges ({pages} updated), "
            f"{len(demo_data.PROJECTS_EN)} projects ({projects} updated), "
            f"agencies and regions ({names} updated)"
        )

    @staticmethod
    def apply_english(page: ChallengePage, spec: dict) -> bool:
        """Set the English texts ``spec`` gives on ``page``; True when anything changed."""
        paragraphs = [f"<p>{text}</p>" for text in spec["body_en"]]
        changed = False
        if [block.value.source for block in page.body_en] != paragraphs:
            page.body_en = [("paragraph", RichText(html)) for html in paragraphs]
            changed = True
        if page.eligibility_en != spec["eligibility_en"]:
            page.eligibility_en = spec["eligibility_en"]
            changed = True
        incentives = list(page.incentives.order_by("sort_order", "pk"))
        for incentive in incentives:
            for name, value in spec["incentives"].get(incentive.description, {}).items():
                if getattr(incentive, name) != value:
                    setattr(incentive, name, value)
                    changed = True
        criteria = list(page.criteria.order_by("sort_order", "pk"))
        for criterion, (name_en, description_en) in zip(criteria, spec["criteria"], strict=True):
            if (criterion.name_en, criterion.description_en) != (name_en, description_en):
                criterion.name_en, criterion.description_en = name_en, description_en
                changed = True
        links = list(page.sponsors.select_related("sponsor"))
        for link in links:
            role_en = spec.get("sponsors", {}).get(link.sponsor.name, link.role_en)
            if link.role_en != role_en:
                link.role_en = role_en
                changed = True
        if changed:
            page.incentives, page.criteria, page.sponsors = incentives, criteria, links
        return changed

    def seed_chain_heads(self, label: str) -> str:
        """Today's audit and ledger chain heads, as the daily task publishes them, so that
        /transparency/ shows them on a fresh demo (a day's snapshot is never replaced)."""
        return f"{len(chains.snapshot_heads())} chains"

    def seed_milestone_changes(self, label: str) -> str:
        """On funded projects: the grantee reports a milestone with evidence links and the
        official sends it back with what to revise; the official moves a planned milestone's
        due date with the reason kept. Done once per milestone, and only from the planned state."""
        Status = Milestone.Status
        done = 0
        for spec in demo_data.MILESTONE_REVISIONS:
            award = Award.objects.select_related("proposal").get(proposal=self.proposals[spec["proposal"]])
            milestone = award.milestones.get(position=spec["milestone"])
            if milestone.revision_note or milestone.status != Status.PLANNED:
                continue
            if not determinations.project_started(award):
                continue
            milestone = determinations.milestone_report(
                milestone=milestone,
                by=self.owner_of[award.proposal.organisation_id],
                report=spec["report"],
                links=spec["links"],
            )
            determinations.milestone_request_revision(
                milestone=milestone, by=self.users[spec["by"]], reason=spec["reason"]
            )
            done += 1
        for spec in demo_data.MILESTONE_REPLANS:
            award = Award.objects.select_related("proposal__challenge").get(
                proposal=self.proposals[spec["proposal"]]
            )
            milestone = award.milestones.get(position=spec["milestone"])
            if milestone.replans.exists() or milestone.status != Status.PLANNED:
                continue
            determinations.milestones_replan(
                award=award,
                by=self.users[spec["by"]],
                changes=[
                    determinations.MilestoneChange(
                        milestone_id=milestone.pk,
                        due_date=milestone.due_date + datetime.timedelta(days=spec["days_later"]),
                        amount=milestone.amount,
                    )
                ],
                reason=spec["reason"],
            )
            done += 1
        total = len(demo_data.MILESTONE_REVISIONS) + len(demo_data.MILESTONE_REPLANS)
        return self.counted(total, done)

    def print_users(self) -> None:
        belongs_to: dict[str, list[str]] = {}
        for spec in demo_data.ORGANISATIONS:
            belongs_to.setdefault(spec["owner"], []).append(spec["name"])
        for spec in demo_data.MEMBERSHIP_INVITATIONS:
            if spec["state"] == "accepted":
                name = self.organisations[spec["organisation"]].name
                belongs_to.setdefault(spec["invitee"], []).append(f"anggota {name}")
        officials: dict[str, list[str]] = {}
        for spec in demo_data.AGENCIES:
            for username in spec["officials"]:
                officials.setdefault(username, []).append(str(self.agencies[spec["key"]]))

        self.stdout.write("")
        self.stdout.write("Demo users (sign in at /accounts/login/; officials also at /admin/):")
        width = max(len(spec["username"]) for spec in demo_data.USERS)
        for spec in demo_data.USERS:
            username = spec["username"]
            details = officials.get(username, []) + belongs_to.get(username, [])
            line = f"  {username:<{width}}  {spec['role']}"
            if details:
                line += f" — {'; '.join(details)}"
            self.stdout.write(line)
        self.stdout.write(f"Password for all of them: {settings.DEMO_PASSWORD}")
        for spec in demo_data.EXTERNAL_REVIEWERS:
            self.stdout.write(
                f"External reviewer {spec['full_name']} <{spec['email']}> chooses a password through "
                "the link in the invitation email (printed on the console by the first run)."
            )
        self.stdout.write(self.style.WARNING("The password is shared and printed: never seed a real site."))
