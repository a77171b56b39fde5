"""Organisations and people: legal identifiers, the owner's edit page, private verification
documents and an official's verification, membership and invitations by email, the public
page with its track record, and the workspace's part. Through the HTTP edge wherever a user
would notice, and through the services for the rules."""

from __future__ import annotations

import datetime
import io
import re
from pathlib import Path

import pytest
from django.core import mail
from django.core.cache import cache
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone, translation
from PIL import Image

from core.errors import DomainError
from core.models import AuditEntry
from marketplace.awards.services import awards as awards_services
from marketplace.challenges.services import funds as challenges_services
from marketplace.organisations.models import (
    Membership,
    Organisation,
    OrganisationInvitation,
    VerificationDocument,
)
from marketplace.organisations.services import organisations as organisations_services
from tests import factories
from tests.factories import UserFactory
from tests.support.module_data import own_copy, rolled_back_after_module

pytestmark = pytest.mark.django_db

PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


@pytest.fixture(autouse=True)
def _media(private_media, cheap_passwords):
    """The shared media folders and password hashers, and an empty cache; returns the folder
    that holds "media" and "private"."""
    cache.clear()
    return private_media.parent


def png(size=(40, 40), fmt="PNG") -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", size, (200, 30, 30)).save(buffer, format=fmt)
    return buffer.getvalue()


def link_in(email, fragment: str) -> str:
    match = re.search(rf"https?://[^/\s]+(/\S*{fragment}\S*)", email.body)
    assert match, email.body
    return match.group(1)


class World:
    """Two regions with an official each, an organisation in the first region with an owner
    and a member, another organisation, a reviewer, finance officer and sponsor."""

    def __init__(self):
        self.region = factories.region("Kabupaten Sumba Barat")
        self.other_region = factories.region("Kota Ambon", timezone_name="Asia/Jayapura")
        self.official = UserFactory(roles=["official"])
        self.other_official = UserFactory(roles=["official"])
        factories.agency(self.region, officials=[self.official])
        factories.agency(self.other_region, officials=[self.other_official])
        self.owner = UserFactory()
        self.member = UserFactory()
        self.organisation = factories.organisation(
            self.owner, name="Kopi Digital Sumba", kind="startup", region=self.region
        )
        Membership.objects.create(user=self.member, organisation=self.organisation, role="member")
        self.other_applicant = UserFactory()
        self.other_organisation = factories.organisation(self.other_applicant, name="Startup Lain")
        self.reviewer = UserFactory(roles=["reviewer"])
        self.finance = UserFactory(roles=["finance"])
        self.sponsor = UserFactory(roles=["sponsor"])


@pytest.fixture(scope="module")
def _world_built(django_db_setup, django_db_blocker):
    """Built once, rolled back after the module; each test runs in a savepoint of it. It holds
    no file: each test's uploads go to its own folders (``_media``)."""
    with rolled_back_after_module(django_db_blocker):
        yield World()


@pytest.fixture
def world(_world_built, db) -> World:
    return own_copy(_world_built)


def audit_count() -> int:
    return AuditEntry.objects.count()


# Legal identifiers ---------------------------------------------------------------------------


# (what needs no database: tests/organisations/test_identifiers.py)


def test_a_company_registers_with_its_identifiers():
    owner = UserFactory()
    organisation = organisations_services.organisation_create(
        by=owner, name="PT Nusantara Data", kind="company", nib="1234567890123", npwp="01.234.567.8-901.000"
    )
    with translation.override("en"):
        assert organisation.get_kind_display() == "Perusahaan (company)"
    assert (organisation.nib, organisation.npwp) == ("1234567890123", "012345678901000")


def test_a_bad_identifier_at_registration_saves_nothing(english_messages):
    with pytest.raises(DomainError, match="13 digits") as error:
        organisations_services.organisation_create(
            by=UserFactory(), name="PT Salah", kind="company", nib="123"
        )
    assert error.value.field == "nib"
    assert not Organisation.objects.filter(name="PT Salah").exists()


# The owner's edit page -----------------------------------------------------------------------


def edit_data(organisation, **changes) -> dict:
    data = {
        "name": organisation.name,
        "kind": organisation.kind,
        "region": organisation.region_id or "",
        "description": "Kami membangun aplikasi untuk petani kopi.",
        "capabilities": "aplikasi seluler, GIS, pelatihan",
        "website": "https://kopi.example.id",
        "nib": "1234567890123",
        "npwp": "01.234.567.8-901.000",
        "address": "Jl. Ahmad Yani 1, Waikabubak",
        "team_size": "12",
        "founded_year": "2019",
    }
    data.update(changes)
    return data


def test_owner_edits_the_organisation(client, world):
    client.force_login(world.owner)
    url = f"/organisations/{world.organisation.slug}/edit/"
    assert client.get(url).status_code == 200
    sector = factories.SectorFactory()
    data = edit_data(world.organisation, sectors=[sector.pk])
    data["logo"] = SimpleUploadedFile("../../etc/passwd.png", png(), content_type="image/png")
    response = client.post(url, data)
    assert (
        response.status_code == 302 and response["Location"] == f"/organisations/{world.organisation.slug}/"
    )
    organisation = Organisation.objects.get(pk=world.organisation.pk)
    assert organisation.npwp == "012345678901000" and organisation.nib == "1234567890123"
    assert (organisation.team_size, organisation.founded_year) == (12, 2019)
    assert sorted(t.name for t in organisation.capabilities.all()) == ["GIS", "aplikasi seluler", "pelatihan"]
    assert list(organisation.sectors.all()) == [sector]
    # The browser's file name is not used; the stored name is random with the real type.
    assert re.fullmatch(r"organisations/logos/[0-9a-f]{32}\.png", organisation.logo.name)
    assert Path(organisation.logo.path).is_file()
    assert AuditEntry.objects.filter(action="organisation.updated", object_id=str(organisation.pk)).exists()


@pytest.mark.parametrize(
    "changes, field",
    [
        ({"founded_year": str(timezone.localdate().year + 1)}, "founded_year"),
        ({"npwp": "01.234.567.8-901"}, "npwp"),
        ({"nib": "12345"}, "nib"),
        ({"website": "bukan alamat"}, "website"),
        ({"team_size": "0"}, "team_size"),
        ({"name": ""}, "name"),
    ],
    ids=["future-founding-year", "short-npwp", "short-nib", "bad-website", "no-team", "no-name"],
)
def test_bad_input_on_the_edit_page_gets_a_message_and_saves_nothing(client, world, changes, field):
    client.force_login(world.owner)
    before = (Organisation.objects.filter(pk=world.organisation.pk).values().get(), audit_count())
    response = client.post(
        f"/organisations/{world.organisation.slug}/edit/", edit_data(world.organisation, **changes)
    )
    assert response.status_code == 200 and field in response.context["form"].errors
    assert 'class="field-error"' in response.text
    assert (Organisation.objects.filter(pk=world.organisation.pk).values().get(), audit_count()) == before


@pytest.mark.parametrize(
    "upload",
    [
        SimpleUploadedFile("logo.png", b"MZ\x90\x00 not an image", content_type="image/png"),
        SimpleUploadedFile("logo.gif", b"GIF89a" + png()[6:], content_type="image/gif"),
        SimpleUploadedFile("logo.png", png((3000, 3000), "BMP")[:1_100_000], content_type="image/png"),
    ],
    ids=["not-an-image", "disguised", "too-large"],
)
def test_a_bad_logo_is_refused_and_nothing_is_stored(client, world, upload, _media):
    client.force_login(world.owner)
    data = edit_data(world.organisation) | {"logo": upload}
    response = client.post(f"/organisations/{world.organisation.slug}/edit/", data)
    assert response.status_code == 200 and "logo" in response.context["form"].errors
    assert not Organisation.objects.get(pk=world.organisation.pk).logo
    assert not (_media / "media" / "organisations").exists()


def test_logo_size_and_type_are_checked_by_the_service_too(world, english_messages):
    big = SimpleUploadedFile("big.png", png((1600, 1600)) + b"\0" * (1024 * 1024), content_type="image/png")
    with pytest.raises(DomainError, match="at most 1 MB"):
        organisations_services.organisation_update(organisation=world.organisation, by=world.owner, logo=big)
    gif = io.BytesIO()
    Image.new("RGB", (10, 10)).save(gif, format="GIF")
    with pytest.raises(DomainError, match="PNG, JPEG or WebP"):
        organisations_services.organisation_update(
            organisation=world.organisation, by=world.owner, logo=SimpleUploadedFile("a.png", gif.getvalue())
        )


def test_changing_the_legal_identity_takes_the_verification_back(world):
    Organisation.objects.filter(pk=world.organisation.pk).update(verified=True, verified_at=timezone.now())
    organisation = organisations_services.organisation_update(
        organisation=Organisation.objects.get(pk=world.organisation.pk), by=world.owner, description="Baru"
    )
    assert organisation.verified  # the description is not the legal identity
    organisation = organisations_services.organisation_update(
        organisation=organisation, by=world.owner, npwp="012345678901000"
    )
    assert not organisation.verified and organisation.verified_at is None


# Private verification documents and an official's verification -------------------------------


def upload(client, organisation, content=PDF, name="akta pendirian.pdf", kind="deed"):
    return client.post(
        f"/organisations/{organisation.slug}/verification/",
        {"kind": kind, "file": SimpleUploadedFile(name, content, content_type="application/pdf")},
    )


def test_member_uploads_a_document_kept_outside_the_public_media(client, world, _media):
    client.force_login(world.member)
    response = upload(client, world.organisation, name="../Akta <Pendirian>.pdf")
    assert response.status_code == 302
    document = VerificationDocument.objects.get(organisation=world.organisation)
    assert document.original_name == "Akta_Pendirian.pdf"
    assert document.content_type == "application/pdf"
    stored = Path(document.file.path)
    assert stored.is_file() and (_media / "private") in stored.parents
    assert not (_media / "media").exists()
    assert re.fullmatch(rf"verification/{world.organisation.pk}/[0-9a-f]{{32}}\.pdf", document.file.name)
    with pytest.raises(ValueError):
        document.file.url  # noqa: B018 - a private file has no address to guess


@pytest.mark.parametrize(
    "content, name",
    [(b"MZ\x90\x00\x03 a program", "akta.pdf"), (b"<html>akta</html>", "akta.pdf"), (b"", "kosong.pdf")],
    ids=["program-named-pdf", "html-named-pdf", "empty"],
)
def test_a_document_of_the_wrong_type_is_refused(client, world, content, name, _media):
    client.force_login(world.owner)
    before = audit_count()
    response = upload(client, world.organisation, content=content, name=name)
    assert response.status_code == 200 and "file" in response.context["form"].errors
    assert not VerificationDocument.objects.exists() and audit_count() == before
    assert not (_media / "private").exists() or not any((_media / "private").rglob("*.*"))


def test_a_too_large_document_is_refused(world, english_messages, settings):
    big = SimpleUploadedFile("besar.pdf", PDF + b"0" * (10 * 1024 * 1024), content_type="application/pdf")
    with pytest.raises(DomainError, match="at most 10 MB"):
        organisations_services.document_upload(
            organisation=world.organisation, by=world.owner, kind="deed", file=big
        )
    assert not VerificationDocument.objects.exists()


def test_document_is_served_to_members_and_the_regions_official_only(client, world):
    document = organisations_services.document_upload(
        organisation=world.organisation,
        by=world.owner,
        kind="nib",
        file=SimpleUploadedFile("nib.pdf", PDF, content_type="application/pdf"),
    )
    url = f"/organisations/{world.organisation.slug}/documents/{document.pk}/"
    for user in (world.owner, world.member, world.official):
        client.force_login(user)
        response = client.get(url)
        assert response.status_code == 200, user
        assert b"".join(response.streaming_content) == PDF
        assert response["Content-Type"] == "application/pdf"
        assert response["Content-Disposition"] == 'attachment; filename="nib.pdf"'
        assert "no-store" in response["Cache-Control"]
    client.logout()
    response = client.get(url)
    assert response.status_code == 302 and response["Location"].startswith("/accounts/login/")
    for user in (world.other_applicant, world.other_official, world.reviewer, world.finance, world.sponsor):
        client.force_login(user)
        assert client.get(url).status_code == 403, user
        assert client.get(f"/organisations/{world.organisation.slug}/verification/").status_code == 403
    # Guessing: another organisation's address with this document's number finds nothing.
    client.force_login(world.other_applicant)
    assert (
        client.get(f"/organisations/{world.other_organisation.slug}/documents/{document.pk}/").status_code
        == 404
    )


def make_verifiable(world):
    organisations_services.organisation_update(
        organisation=world.organisation, by=world.owner, nib="1234567890123", npwp="012345678901000"
    )
    organisations_services.document_upload(
        organisation=world.organisation,
        by=world.owner,
        kind="deed",
        file=SimpleUploadedFile("akta.pdf", PDF, content_type="application/pdf"),
    )


def test_the_regions_official_verifies_after_checking_documents(client, world):
    make_verifiable(world)
    client.force_login(world.official)
    page = client.get(f"/organisations/{world.organisation.slug}/verification/")
    assert page.status_code == 200 and page.context["may_verify"]
    response = client.post(f"/organisations/{world.organisation.slug}/verify/")
    assert response.status_code == 302
    organisation = Organisation.objects.get(pk=world.organisation.pk)
    assert organisation.verified and organisation.verified_by == world.official
    entry = AuditEntry.objects.get(action="organisation.verified")
    assert entry.actor == world.official and entry.after == {"verified": True}
    assert world.owner.notifications.filter(url=organisation.get_absolute_url()).exists()
    # The public page says so.
    assert "badge--verified" in client.get(organisation.get_absolute_url()).text

    # And may take it back, saying why.
    response = client.post(
        f"/organisations/{world.organisation.slug}/unverify/", {"reason": "NPWP tidak cocok."}
    )
    assert not Organisation.objects.get(pk=world.organisation.pk).verified
    assert AuditEntry.objects.get(action="organisation.unverified").after["reason"] == "NPWP tidak cocok."


def test_verification_waits_for_identifiers_and_documents(client, world, english_messages):
    with pytest.raises(DomainError, match="NIB"):
        organisations_services.organisation_verify(organisation=world.organisation, by=world.official)
    organisations_services.organisation_update(
        organisation=world.organisation, by=world.owner, nib="1234567890123", npwp="012345678901000"
    )
    with pytest.raises(DomainError, match="no document"):
        organisations_services.organisation_verify(organisation=world.organisation, by=world.official)
    assert not Organisation.objects.get(pk=world.organisation.pk).verified
    assert not AuditEntry.objects.filter(action="organisation.verified").exists()
    # Through the page: a message, nothing changes.
    client.force_login(world.official)
    response = client.post(f"/organisations/{world.organisation.slug}/verify/", follow=True)
    assert [m.level_tag for m in response.context["messages"]][-1] == "error"
    assert not Organisation.objects.get(pk=world.organisation.pk).verified


def test_a_community_group_is_verified_without_identifiers(world):
    group = factories.organisation(
        world.owner, name="Komunitas Literasi", kind="komunitas", region=world.region
    )
    assert organisations_services.organisation_verify(organisation=group, by=world.official).verified


@pytest.mark.parametrize(
    "who", ["anonymous", "owner", "member", "other_applicant", "other_official", "reviewer", "finance"]
)
def test_only_the_regions_official_may_verify(client, world, who):
    make_verifiable(world)
    before = audit_count()
    if who != "anonymous":
        client.force_login(getattr(world, who))
    for path in ("verify", "unverify"):
        url = f"/organisations/{world.organisation.slug}/{path}/"
        assert client.get(url).status_code == (302 if who == "anonymous" else 405)
        response = client.post(url, {"reason": "x"})
        assert response.status_code == (302 if who == "anonymous" else 403)
    assert not Organisation.objects.get(pk=world.organisation.pk).verified and audit_count() == before


def test_an_official_may_not_verify_their_own_organisation(world, english_messages):
    Membership.objects.create(user=world.official, organisation=world.organisation, role="member")
    make_verifiable(world)
    with pytest.raises(DomainError, match="belong to"):
        organisations_services.organisation_verify(organisation=world.organisation, by=world.official)


# Members and invitations -----------------------------------------------------------------------


def invite(client, world, email="ayu@kopi.id", role="member", capture=None):
    client.force_login(world.owner)
    with capture(execute=True):
        return client.post(
            f"/organisations/{world.organisation.slug}/members/", {"email": email, "role": role}
        )


def test_owner_invites_by_email_and_the_invitee_accepts(client, world, django_capture_on_commit_callbacks):
    response = invite(client, world, email="Ayu@Kopi.id", capture=django_capture_on_commit_callbacks)
    assert response.status_code == 302
    invitation = OrganisationInvitation.objects.get()
    assert invitation.email == "ayu@kopi.id" and invitation.invited_by == world.owner
    assert len(invitation.token) >= 40
    assert invitation.expires_at - invitation.created_at == datetime.timedelta(days=7)
    (email,) = mail.outbox
    assert email.to == ["ayu@kopi.id"] and world.organisation.name in email.subject
    path = link_in(email, "invitations/")
    assert path == f"/invitations/{invitation.token}/"

    # The link asks an anonymous visitor to sign in first.
    client.logout()
    response = client.get(path)
    assert response.status_code == 302 and response["Location"].startswith("/accounts/login/")

    # Ayu signs in with that address confirmed; the workspace lists the invitation.
    ayu = UserFactory(email="ayu@kopi.id")
    client.force_login(ayu)
    assert invitation in client.get("/workspace/organisations/").context["org_invitations"]
    page = client.get(path)
    assert page.status_code == 200 and page.context["email_matches"]
    response = client.post(f"{path}accept/")
    assert response.status_code == 302 and response["Location"] == world.organisation.get_absolute_url()
    assert Membership.objects.get(user=ayu, organisation=world.organisation).role == "member"
    invitation.refresh_from_db()
    assert invitation.accepted_by == ayu and invitation.status == "accepted"
    assert AuditEntry.objects.filter(action="organisation.invitation_accepted").exists()
    assert world.owner.notifications.exists()

    # A second answer changes nothing.
    before = audit_count()
    response = client.post(f"{path}decline/", follow=True)
    assert [m.level_tag for m in response.context["messages"]][-1] == "error"
    invitation.refresh_from_db()
    assert invitation.declined_at is None and audit_count() == before


def test_an_invitation_to_an_owner_role(client, world, django_capture_on_commit_callbacks):
    invite(client, world, email="budi@kopi.id", role="owner", capture=django_capture_on_commit_callbacks)
    budi = UserFactory(email="budi@kopi.id")
    organisations_services.invitation_accept(invitation=OrganisationInvitation.objects.get(), by=budi)
    assert Membership.objects.get(user=budi, organisation=world.organisation).role == "owner"


def test_the_invitee_declines(client, world, django_capture_on_commit_callbacks):
    invite(client, world, capture=django_capture_on_commit_callbacks)
    invitation = OrganisationInvitation.objects.get()
    ayu = UserFactory(email="ayu@kopi.id")
    client.force_login(ayu)
    response = client.post(f"/invitations/{invitation.token}/decline/")
    assert response.status_code == 302 and response["Location"] == "/workspace/"
    invitation.refresh_from_db()
    assert invitation.status == "declined"
    assert not Membership.objects.filter(user=ayu).exists()
    assert client.get("/workspace/organisations/").context["org_invitations"] == []


def test_an_expired_invitation_changes_nothing(client, world, django_capture_on_commit_callbacks):
    invite(client, world, capture=django_capture_on_commit_callbacks)
    invitation = OrganisationInvitation.objects.get()
    OrganisationInvitation.objects.filter(pk=invitation.pk).update(
        expires_at=timezone.now() - datetime.timedelta(seconds=1)
    )
    ayu = UserFactory(email="ayu@kopi.id")
    client.force_login(ayu)
    assert client.get(f"/invitations/{invitation.token}/").context["invitation"].status == "expired"
    before = audit_count()
    for action in ("accept", "decline"):
        response = client.post(f"/invitations/{invitation.token}/{action}/", follow=True)
        assert [m.level_tag for m in response.context["messages"]][-1] == "error"
    invitation.refresh_from_db()
    assert (invitation.accepted_at, invitation.declined_at) == (None, None)
    assert not Membership.objects.filter(user=ayu).exists() and audit_count() == before


def test_an_invitation_is_for_the_address_it_was_sent_to(
    client, world, django_capture_on_commit_callbacks, english_messages
):
    invite(client, world, capture=django_capture_on_commit_callbacks)
    invitation = OrganisationInvitation.objects.get()
    someone = UserFactory(email="orang-lain@contoh.id")
    client.force_login(someone)
    page = client.get(f"/invitations/{invitation.token}/")
    assert page.status_code == 200 and not page.context["email_matches"]
    response = client.post(f"/invitations/{invitation.token}/accept/", follow=True)
    assert [m.level_tag for m in response.context["messages"]][-1] == "error"
    assert not Membership.objects.filter(user=someone).exists()
    # An unconfirmed address does not count either.
    unconfirmed = UserFactory(email="ayu@kopi.id", verified_email=False)
    with pytest.raises(DomainError, match="Confirm your email"):
        organisations_services.invitation_accept(invitation=invitation, by=unconfirmed)
    assert OrganisationInvitation.objects.get().status == "pending"


def test_an_unknown_token_finds_nothing(client, world):
    client.force_login(world.other_applicant)
    assert client.get("/invitations/tidak-ada/").status_code == 404
    assert client.post("/invitations/tidak-ada/accept/").status_code == 404


@pytest.mark.parametrize(
    "email, field",
    [("bukan-email", "email"), ("{member}", "email"), ("ayu@kopi.id", "email")],
    ids=["bad-address", "already-a-member", "already-invited"],
)
def test_bad_invitations_get_a_message_and_send_nothing(
    client, world, email, field, django_capture_on_commit_callbacks
):
    invite(client, world, email="ayu@kopi.id", capture=django_capture_on_commit_callbacks)
    mail.outbox.clear()
    before = (OrganisationInvitation.objects.count(), audit_count())
    response = invite(
        client,
        world,
        email=email.format(member=world.member.email),
        capture=django_capture_on_commit_callbacks,
    )
    assert response.status_code == 200 and field in response.context["form"].errors
    assert (OrganisationInvitation.objects.count(), audit_count()) == before and not mail.outbox


@pytest.mark.parametrize(
    "who", ["member", "other_applicant", "official", "other_official", "reviewer", "finance", "sponsor"]
)
def test_only_owners_invite(client, world, who, django_capture_on_commit_callbacks):
    client.force_login(getattr(world, who))
    url = f"/organisations/{world.organisation.slug}/members/"
    # Members see who belongs; others may not even look.
    assert client.get(url).status_code == (200 if who == "member" else 403)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(url, {"email": "x@contoh.id", "role": "owner"})
    assert response.status_code == 403
    assert not OrganisationInvitation.objects.exists() and not mail.outbox


def test_anonymous_visitors_are_sent_to_sign_in_everywhere(client, world):
    document = organisations_services.document_upload(
        organisation=world.organisation,
        by=world.owner,
        kind="deed",
        file=SimpleUploadedFile("akta.pdf", PDF, content_type="application/pdf"),
    )
    invitation = organisations_services.invitation_create(
        organisation=world.organisation, by=world.owner, email="a@b.id"
    )
    membership = Membership.objects.get(user=world.member)
    slug = world.organisation.slug
    before = (audit_count(), Membership.objects.count(), OrganisationInvitation.objects.get().status)
    for url in (
        f"/organisations/{slug}/edit/",
        f"/organisations/{slug}/members/",
        f"/organisations/{slug}/members/{membership.pk}/remove/",
        f"/organisations/{slug}/verification/",
        f"/organisations/{slug}/verify/",
        f"/organisations/{slug}/unverify/",
        f"/organisations/{slug}/documents/{document.pk}/",
        f"/invitations/{invitation.token}/",
        f"/invitations/{invitation.token}/accept/",
        f"/invitations/{invitation.token}/decline/",
        "/workspace/profile/",
    ):
        for response in (
            client.get(url),
            client.post(url, {"email": "x@y.id", "role": "owner", "reason": "x"}),
        ):
            assert response.status_code == 302 and response["Location"].startswith(
                "/accounts/login/?next="
            ), url
    assert (audit_count(), Membership.objects.count(), OrganisationInvitation.objects.get().status) == before


@pytest.mark.parametrize(
    "who", ["member", "other_applicant", "official", "other_official", "reviewer", "finance", "sponsor"]
)
def test_only_owners_edit(client, world, who):
    client.force_login(getattr(world, who))
    url = f"/organisations/{world.organisation.slug}/edit/"
    before = (Organisation.objects.filter(pk=world.organisation.pk).values().get(), audit_count())
    assert client.get(url).status_code == 403
    assert client.post(url, edit_data(world.organisation, name="Diambil alih")).status_code == 403
    assert (Organisation.objects.filter(pk=world.organisation.pk).values().get(), audit_count()) == before


@pytest.mark.parametrize(
    "who", ["other_applicant", "official", "other_official", "reviewer", "finance", "sponsor"]
)
def test_only_members_add_documents(client, world, who):
    client.force_login(getattr(world, who))
    response = upload(client, world.organisation)
    # The region's official may look at the page but not add to it.
    assert response.status_code == 403
    assert not VerificationDocument.objects.exists()


def test_a_user_belongs_to_several_organisations_and_may_leave_one(client, world):
    second = factories.organisation(world.member, name="Koperasi Tenun")
    assert set(Organisation.objects.filter(memberships__user=world.member)) == {world.organisation, second}
    client.force_login(world.member)
    membership = Membership.objects.get(user=world.member, organisation=world.organisation)
    response = client.post(f"/organisations/{world.organisation.slug}/members/{membership.pk}/remove/")
    assert response.status_code == 302 and response["Location"] == "/workspace/"
    assert list(Organisation.objects.filter(memberships__user=world.member)) == [second]


def test_owner_removes_a_member_but_the_last_owner_stays(client, world):
    client.force_login(world.owner)
    membership = Membership.objects.get(user=world.member)
    response = client.post(f"/organisations/{world.organisation.slug}/members/{membership.pk}/remove/")
    assert response.status_code == 302 and not Membership.objects.filter(pk=membership.pk).exists()
    # The former membership is kept: it still bars reviewing the organisation's proposals.
    past = world.member.past_memberships.get()
    assert (past.organisation, past.role, past.joined_at) == (
        world.organisation,
        membership.role,
        membership.joined_at,
    )
    own = Membership.objects.get(user=world.owner)
    response = client.post(f"/organisations/{world.organisation.slug}/members/{own.pk}/remove/", follow=True)
    assert [m.level_tag for m in response.context["messages"]][-1] == "error"
    assert Membership.objects.filter(pk=own.pk).exists()


def test_a_member_may_not_remove_another(client, world):
    other = UserFactory()
    membership = Membership.objects.create(user=other, organisation=world.organisation)
    client.force_login(world.member)
    assert (
        client.post(f"/organisations/{world.organisation.slug}/members/{membership.pk}/remove/").status_code
        == 403
    )
    assert Membership.objects.filter(pk=membership.pk).exists()


# The public page and the workspace -----------------------------------------------------------


def test_public_page_shows_the_profile_but_not_the_tax_number(client, world):
    organisations_services.organisation_update(
        organisation=world.organisation,
        by=world.owner,
        description="Aplikasi untuk petani kopi.",
        npwp="012345678901000",
        founded_year=2019,
        team_size=8,
        capabilities=["GIS", "aplikasi seluler"],
    )
    response = client.get(world.organisation.get_absolute_url())
    assert response.status_code == 200
    for text in ("Aplikasi untuk petani kopi.", "2019", "GIS", "aplikasi seluler", "Kabupaten Sumba Barat"):
        assert text in response.text
    assert "01.234.567.8-901.000" not in response.text and "012345678901000" not in response.text
    assert f"/organisations/{world.organisation.slug}/edit/" not in response.text
    client.force_login(world.owner)
    assert (
        f"/organisations/{world.organisation.slug}/edit/"
        in client.get(world.organisation.get_absolute_url()).text
    )


def test_public_page_lists_past_funded_projects(client, world, django_assert_max_num_queries):
    challenge = factories.challenge(agency_obj=world.official.agencies.get())
    proposal = factories.submitted_proposal(challenge_page=challenge, owner=world.owner)
    challenges_services.allocation_record(
        challenge=challenge,
        amount=100_000_000_00,
        by=world.finance,
        reference="DPA-1",
        idempotency_key="dpa-1",
    )
    due = timezone.localdate() + datetime.timedelta(days=30)
    factories.close_challenge(proposal.challenge)
    awards_services.award_create(
        proposal=proposal,
        amount=proposal.requested_amount,
        milestones=[
            awards_services.MilestonePlan(title="Uji coba", amount=proposal.requested_amount, due_date=due)
        ],
        by=world.official,
    )
    # Not public before the official publishes the results.
    assert not client.get(world.organisation.get_absolute_url()).context["projects"]
    factories.publish_results(challenge, world.official)
    with django_assert_max_num_queries(15):
        response = client.get(world.organisation.get_absolute_url())
    assert len(response.context["projects"]) == 1 and proposal.title in response.text


def test_workspace_lists_invitations_owned_organisations_and_organisations_to_verify(client, world):
    invitation = organisations_services.invitation_create(
        organisation=world.other_organisation, by=world.other_applicant, email=world.owner.email
    )
    make_verifiable(world)
    client.force_login(world.owner)
    context = client.get("/workspace/organisations/").context
    assert context["org_invitations"] == [invitation]
    assert [o.pk for o in context["org_owned"]] == [world.organisation.pk]
    assert context["org_owned"][0].member_count == 2
    assert client.get("/workspace/approvals/").status_code == 403  # verifying is for officials
    client.force_login(world.official)
    assert [o.pk for o in client.get("/workspace/approvals/").context["org_to_verify"]] == [
        world.organisation.pk
    ]
    client.force_login(world.other_official)
    assert client.get("/workspace/approvals/").context["org_to_verify"] == []


def test_workspace_section_queries_do_not_grow_with_organisations(rf, world):
    from marketplace.organisations.views.organisations import organisations_section

    def queries() -> int:
        request = rf.get("/workspace/")
        request.user = world.owner
        world.owner.__dict__.pop("_role_names", None)
        with CaptureQueriesContext(connection) as captured:
            organisations_section(request)
        return len(captured)

    baseline = queries()
    for n in range(4):
        organisation = factories.organisation(world.owner, name=f"Organisasi {n}")
        organisations_services.invitation_create(
            organisation=organisation, by=world.owner, email=f"orang{n}@contoh.id"
        )
        other = factories.organisation(UserFactory(), name=f"Pengundang {n}")
        organisations_services.invitation_create(
            organisation=other, by=other.memberships.get().user, email=world.owner.email
        )
    assert queries() == baseline
