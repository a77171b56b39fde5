"""Builders for test data. Pages are created in the Wagtail tree and published, as an editor
would; transactional records through factory_boy."""

from __future__ import annotations

import datetime
import itertools

import factory
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.utils import timezone
from wagtail.models import Page
from wagtail.rich_text import RichText

from marketplace import services
from marketplace.models import (
    Agency,
    ChallengeIndexPage,
    ChallengePage,
    Criterion,
    Incentive,
    Organisation,
    RegionPage,
    Sector,
)

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


def agency(region_page: RegionPage | None = None, officials=()) -> Agency:
    obj = Agency.objects.create(region=region_page or region(), name=f"Dinas Uji {next(_seq)}", acronym="DU")
    obj.officials.set(officials)
    return obj


def challenge(
    *,
    agency_obj: Agency | None = None,
    sector: Sector | None = None,
    title: str | None = None,
    summary: str = "Masalah layanan publik yang perlu solusi digital.",
    opens_at: datetime.datetime | None = None,
    closes_at: datetime.datetime | None = None,
    incentives=(("grant", 50_000_000_00),),
    slug: str | None = None,
    publish: bool = True,
) -> ChallengePage:
    agency_obj = agency_obj or agency()
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
    return services.organisation_create(by=owner, **defaults)


def submitted_proposal(*, challenge_page: ChallengePage, owner, amount: int = 20_000_000_00):
    org = Organisation.objects.filter(memberships__user=owner).first() or organisation(owner)
    proposal = services.proposal_create(
        by=owner,
        organisation=org,
        challenge=challenge_page,
        title="Usulan uji",
        summary="Ringkasan",
        requested_amount=amount,
    )
    return services.proposal_submit(proposal=proposal, by=owner)


def admin_challenge_form(
    *,
    agency_obj: Agency,
    sector: Sector,
    title: str,
    slug: str,
    opens: str,
    closes: str,
    weights=(60, 40),
    **extra,
) -> dict:
    """The POST an official's browser sends from the Wagtail editor when publishing a challenge."""
    from wagtail.test.utils.form_data import inline_formset, nested_form_data, rich_text, streamfield

    fields = {
        "title": title,
        "slug": slug,
        "title_en": "",
        "summary": "Masalah layanan publik yang perlu solusi digital.",
        "summary_en": "",
        "body": streamfield([("paragraph", rich_text("<p>Uraian masalah.</p>"))]),
        "agency": agency_obj.pk,
        "sector": sector.pk,
        "opens_at": opens,
        "closes_at": closes,
        "eligibility": rich_text("<p>Startup dan UMKM.</p>"),
        "incentives": inline_formset(
            [{"kind": "grant", "amount": "15000000000", "currency": "IDR", "description": "Hibah"}], min=1
        ),
        "criteria": inline_formset(
            [
                {"name": f"Kriteria {i + 1}", "description": "", "weight": str(w)}
                for i, w in enumerate(weights)
            ],
            min=1,
        ),
        "application_questions": inline_formset([]),
        "action-publish": "action-publish",
    }
    fields.update(extra)
    return nested_form_data(fields)
