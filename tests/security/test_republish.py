"""A challenge's in-kind offer keeps its identity through every way a challenge is published again.

The probe: after an award drew an in-kind offer down, publishing the challenge again answered 500
(``ProtectedError``: the publish deleted the offer and made a new one, which the draw-down forbids);
an unpublished challenge could not be brought back; on another path the offer came back with a new
id. The cause: a revision serialised while its new offer had no id yet (an offer added to a live
challenge in the editor) was published, and every later edit made from it carried the offer without
an id, so modelcluster deleted the saved offer and inserted a copy.

Each test sets the world up as officials do (the Wagtail editor's POSTs, the award service), draws
10 of 40 mentoring hours down, then publishes again by one path and checks what a user would see:
the same offer (id), its draw-down, what remains, and the public page showing the offer."""

import datetime
from types import SimpleNamespace

import pytest
from django.conf import settings as django_settings
from django.contrib.auth.models import Group, Permission
from django.core.management import call_command
from django.test import Client
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.html import escape
from django.utils.translation import gettext
from wagtail.models import GroupPagePermission, Revision
from wagtail.test.utils.form_data import inline_formset, nested_form_data

from marketplace.awards.models import InKindDrawdown
from marketplace.awards.services import awards as awards_services
from marketplace.challenges.models import ChallengeIndexPage, ChallengePage, Incentive, SDGTag
from marketplace.challenges.services import funds as funds_services
from marketplace.challenges.services.challenges import region_setup_permissions
from tests import factories
from tests.factories import signed_in_client
from tests.support.module_data import own_copy, rolled_back_after_module

pytestmark = pytest.mark.django_db

DAY = datetime.timedelta(days=1)
INCENTIVE_FIELDS = (
    "id",
    "kind",
    "amount",
    "currency",
    "description",
    "winners",
    "duration_months",
    "provider",
    "provider_name",
    "quantity",
    "unit",
    "expires_on",
    "levy_name",
    "relief",
)


def _edit_url(page) -> str:
    return reverse("wagtailadmin_pages:edit", args=(page.pk,))


def _value(bound_field) -> str:
    value = bound_field.value()
    return "" if value is None else str(value)


def _browser_post(client, url: str, *, action: str, offer: dict | None = None, **extra) -> dict:
    """What the browser sends from the editor at ``url`` (the edit view or a revision's "revert"
    view): every inline row as the editor rendered it (its hidden id included), ``offer`` applied
    to the in-kind row (``{"DELETE": "1"}`` removes it; a row without an in-kind offer gets it
    added), ``extra`` to the page's fields."""
    shown = client.get(url)
    assert shown.status_code == 200
    form = shown.context["form"]
    page = form.instance
    incentives = form.formsets["incentives"]
    rows = [{name: _value(f[name]) for name in INCENTIVE_FIELDS} for f in incentives.forms]
    in_kind = [row for row in rows if row["kind"] == "in_kind"]
    if offer is not None:
        if in_kind:
            in_kind[0].update(offer)
        else:
            rows.append(
                {
                    "kind": "in_kind",
                    "amount": "0",
                    "currency": "IDR",
                    "winners": "1",
                    "provider_name": "Dinas Kesehatan",
                    "quantity": "40",
                    "unit": "jam pendampingan",
                }
                | offer
            )
    criteria = form.formsets["criteria"]
    criteria_rows = [
        {name: _value(f[name]) for name in ("id", "name", "description", "weight")} for f in criteria.forms
    ]
    chosen = {name: extra.pop(name) for name in list(extra) if isinstance(extra[name], list)}
    data = factories.admin_challenge_form(
        agency_obj=page.agency,
        sector=page.sector,
        title=page.title,
        slug=page.slug,
        opens=form.initial["opens_at"].strftime("%Y-%m-%d %H:%M"),
        closes=form.initial["closes_at"].strftime("%Y-%m-%d %H:%M"),
        action=action,
        **extra,
    )
    data.update(
        nested_form_data(
            {
                "incentives": inline_formset(rows, initial=incentives.initial_form_count(), min=1),
                "criteria": inline_formset(criteria_rows, initial=criteria.initial_form_count(), min=1),
            }
        )
    )
    data.update(chosen)  # several values under one name, as a multiple select sends them
    return data


def _post(client, url: str, **kwargs):
    return client.post(url, _browser_post(client, url, **kwargs))


def _errors(response) -> object:
    """The editor's errors, for a failing assertion's message."""
    if response.context is None or "form" not in response.context:
        return response.status_code
    form = response.context["form"]
    shown = [str(m) for m in response.context.get("messages", [])]
    return shown, form.errors, {name: formset.errors for name, formset in form.formsets.items()}


def build_world() -> SimpleNamespace:
    """A live challenge made in the editor, to which the editor then added 40 mentoring hours in
    kind (published); an award drew 10 of them down."""
    region = factories.region("Kabupaten Sumba Barat", timezone_name="Asia/Makassar")
    official = factories.UserFactory(roles=["official"], is_staff=True)
    head = factories.UserFactory(roles=["agency_head"], is_staff=True)
    publisher = factories.UserFactory(roles=["official"], is_staff=True)
    agency = factories.agency(region, officials=[official, publisher], heads=[head])
    region_setup_permissions(region=region)
    publishers = Group.objects.create(name="Penerbit Sumba Barat")
    for codename in ("add_page", "change_page", "publish_page"):
        GroupPagePermission.objects.create(
            group=publishers, page=region, permission=Permission.objects.get(codename=codename)
        )
    publisher.groups.add(publishers)

    editor = signed_in_client(publisher)
    now = timezone.localtime(timezone.now(), region.zoneinfo)
    index = region.get_children().type(ChallengeIndexPage).first()
    created = editor.post(
        reverse("wagtailadmin_pages:add", args=("challenges", "challengepage", index.pk)),
        factories.admin_challenge_form(
            agency_obj=agency,
            sector=factories.SectorFactory(),
            title="Pendampingan klinik desa",
            slug="pendampingan-klinik",
            opens=(now - DAY).strftime("%Y-%m-%d %H:%M"),
            closes=(now + 30 * DAY).strftime("%Y-%m-%d %H:%M"),
        ),
    )
    assert created.status_code == 302
    page = ChallengePage.objects.get(slug="pendampingan-klinik")
    assert page.live
    first_revision = page.latest_revision

    added = _post(editor, _edit_url(page), action="publish", offer={})
    assert added.status_code == 302
    page = ChallengePage.objects.get(pk=page.pk)
    offer = page.incentives.get(kind="in_kind")
    offer_revision = page.latest_revision

    funds_services.allocation_record(
        challenge=page,
        amount=10_000_00,
        by=factories.UserFactory(roles=["finance"]),
        reference="DPA",
        idempotency_key="republish",
    )
    proposal = factories.submitted_proposal(
        challenge_page=page, owner=factories.UserFactory(), amount=10_000_00
    )
    factories.close_challenge(page)  # awards wait for the call to close
    award = awards_services.award_create(
        proposal=proposal,
        amount=10_000_00,
        by=official,
        milestones=[awards_services.MilestonePlan("Tahap 1", 10_000_00, timezone.localdate() + 30 * DAY)],
        in_kind={offer.pk: 10},
    )
    return SimpleNamespace(
        page=page,
        offer=offer,
        award=award,
        official=official,
        head=head,
        publisher=publisher,
        editor=editor,
        first_revision=first_revision,
        offer_revision=offer_revision,
    )


@pytest.fixture(scope="module")
def _world_built(django_db_setup, django_db_blocker):
    """Built once, rolled back after the module; each test runs in a savepoint of it. The editor's
    client is kept as its cookies (its session, any message still to show): a client is not copied."""
    with rolled_back_after_module(django_db_blocker, STAFF_MFA_REQUIRED=False):  # as _staff_mfa_not_enforced
        with translation.override(django_settings.LANGUAGE_CODE):  # as each test builds it (_site_language)
            world = build_world()
        cookies = world.editor.cookies
        del world.editor
        yield world, cookies


@pytest.fixture
def world(_world_built, db):
    world, cookies = own_copy(_world_built)
    world.editor = Client()
    world.editor.cookies = cookies
    return world


def _left(remaining: int, total: int) -> str:
    with translation.override("id"):
        return gettext("%(remaining)s of %(total)s %(unit)s left") % {
            "remaining": remaining,
            "total": total,
            "unit": "jam pendampingan",
        }


def assert_offer_kept(world, *, total: int = 40, description: str = "") -> ChallengePage:
    """The same offer (id) is on the live challenge with its draw-down, and the public page shows
    what remains of it."""
    page = ChallengePage.objects.get(pk=world.page.pk)
    assert page.live
    offer = page.incentives.get(kind="in_kind")
    assert offer.pk == world.offer.pk
    assert (offer.quantity, offer.description) == (total, description)
    assert list(InKindDrawdown.objects.values_list("incentive_id", "award_id", "quantity")) == [
        (world.offer.pk, world.award.pk, 10)
    ]
    assert offer.remaining == total - 10
    public = Client().get(f"/challenges/{page.slug}/")
    assert public.status_code == 200
    assert _left(total - 10, total) in public.text
    return page


def test_edit_and_publish_keeps_the_drawn_down_offer(world):
    health = SDGTag.objects.get(number=3)
    response = _post(
        world.editor,
        _edit_url(world.page),
        action="publish",
        offer={"quantity": "50", "description": "Mentor"},
        sdg_tags=[str(health.pk)],
    )
    assert response.status_code == 302, _errors(response)
    page = assert_offer_kept(world, total=50, description="Mentor")
    assert list(page.sdg_tags.all()) == [health]

    # And again, from the revision that publish made.
    assert _post(world.editor, _edit_url(world.page), action="publish").status_code == 302
    assert_offer_kept(world, total=50, description="Mentor")


def test_submit_for_approval_and_approve_keeps_the_drawn_down_offer(world):
    official = signed_in_client(world.official)
    response = _post(official, _edit_url(world.page), action="submit", offer={"description": "Mentor"})
    assert response.status_code == 302
    page = ChallengePage.objects.get(pk=world.page.pk)
    assert page.workflow_in_progress
    approve = reverse(
        "wagtailadmin_pages:workflow_action", args=(page.pk, "approve", page.current_workflow_task_state.pk)
    )
    assert signed_in_client(world.head).post(approve, {"comment": "Sesuai DPA."}).status_code == 302
    assert_offer_kept(world, description="Mentor")


def test_an_unpublished_challenge_can_be_published_again(world):
    unpublish = reverse("wagtailadmin_pages:unpublish", args=(world.page.pk,))
    assert world.editor.post(unpublish).status_code == 302
    assert not ChallengePage.objects.get(pk=world.page.pk).live
    assert Client().get(f"/challenges/{world.page.slug}/").status_code == 404

    assert _post(world.editor, _edit_url(world.page), action="publish").status_code == 302
    assert_offer_kept(world)


def test_publishing_the_revision_that_added_the_offer_keeps_it(world):
    _post(world.editor, _edit_url(world.page), action="publish", offer={"description": "Mentor"})
    revert = reverse("wagtailadmin_pages:revisions_revert", args=(world.page.pk, world.offer_revision.pk))
    assert _post(world.editor, revert, action="publish").status_code == 302
    assert_offer_kept(world)


def test_publishing_a_revision_from_before_the_offer_is_refused_with_a_message(world):
    revert = reverse("wagtailadmin_pages:revisions_revert", args=(world.page.pk, world.first_revision.pk))
    response = _post(world.editor, revert, action="publish")
    assert response.status_code == 200
    with translation.override("id"):
        keep = gettext("“%(offer)s” has already been given to winners (%(drawn)s %(unit)s); keep it.") % {
            "offer": "jam pendampingan",
            "drawn": 10,
            "unit": "jam pendampingan",
        }
    assert escape(keep) in response.text
    assert_offer_kept(world)


def _schedule(world, **offer):
    """The publisher publishes a change to go live in two days (the page is locked till then)."""
    go_live = timezone.localtime(timezone.now() + 2 * DAY, world.page.region.zoneinfo)
    response = _post(
        world.editor,
        _edit_url(world.page),
        action="publish",
        offer=offer,
        go_live_at=go_live.strftime("%Y-%m-%d %H:%M"),
    )
    assert response.status_code == 302, _errors(response)
    scheduled = Revision.objects.get(pk=ChallengePage.objects.get(pk=world.page.pk).latest_revision_id)
    assert scheduled.approved_go_live_at is not None

    # Two days later: the scheduled time is moved back rather than the clock forward.
    due = timezone.now() - datetime.timedelta(minutes=1)
    scheduled.content["go_live_at"] = due.isoformat()
    scheduled.approved_go_live_at = due
    scheduled.save(update_fields=["content", "approved_go_live_at"])
    call_command("publish_scheduled")


def test_scheduled_publishing_keeps_the_drawn_down_offer(world):
    _schedule(world, quantity="45")
    assert_offer_kept(world, total=45)
    assert _post(world.editor, _edit_url(world.page), action="publish", go_live_at="").status_code == 302
    assert_offer_kept(world, total=45)


def test_an_unpublished_challenge_scheduled_to_come_back_keeps_the_drawn_down_offer(world):
    unpublish = reverse("wagtailadmin_pages:unpublish", args=(world.page.pk,))
    assert world.editor.post(unpublish).status_code == 302
    _schedule(world, description="Mentor")
    assert_offer_kept(world, description="Mentor")


def test_an_editor_may_not_remove_shrink_or_retype_a_drawn_down_offer(world):
    with translation.override("id"):
        keep = gettext("“%(offer)s” has already been given to winners (%(drawn)s %(unit)s); keep it.") % {
            "offer": "jam pendampingan",
            "drawn": 10,
            "unit": "jam pendampingan",
        }
        too_few = gettext(
            "%(drawn)s %(unit)s have already been given to winners; the quantity cannot be lower."
        ) % {"drawn": 10, "unit": "jam pendampingan"}
        same_unit = gettext(
            "%(drawn)s %(unit)s have already been given to winners; the kind and the unit of this offer "
            "cannot change."
        ) % {"drawn": 10, "unit": "jam pendampingan"}
    assert len({keep, too_few, same_unit}) == 3
    assert "already been given to winners" not in keep + too_few + same_unit  # said in Indonesian

    for change, message in (
        ({"DELETE": "1"}, keep),
        ({"quantity": "9"}, too_few),
        ({"unit": "kursi pelatihan"}, same_unit),
    ):
        response = _post(world.editor, _edit_url(world.page), action="publish", offer=change)
        assert response.status_code == 200, change
        assert escape(message) in response.text, change
        assert_offer_kept(world)

    # The quantity may come down to what was given, no lower.
    assert (
        _post(world.editor, _edit_url(world.page), action="publish", offer={"quantity": "10"}).status_code
        == 302
    )
    page = ChallengePage.objects.get(pk=world.page.pk)
    assert Incentive.objects.get(pk=world.offer.pk).remaining == 0
    assert _left(0, 10) in Client().get(f"/challenges/{page.slug}/").text


def test_approving_a_change_that_shrinks_an_offer_given_since_is_refused(world):
    """The change was fine when submitted (30 of 40 hours left, 20 asked for); before the head
    approved it, another award took 15 hours."""
    official = signed_in_client(world.official)
    response = _post(official, _edit_url(world.page), action="submit", offer={"quantity": "20"})
    assert response.status_code == 302, _errors(response)
    funds_services.allocation_record(
        challenge=world.page,
        amount=10_000_00,
        by=factories.UserFactory(roles=["finance"]),
        reference="DPA perubahan",
        idempotency_key="republish-2",
    )
    # The call was extended for a second winner, who applied, and closed again.
    ChallengePage.objects.filter(pk=world.page.pk).update(closes_at=timezone.now() + 30 * DAY)
    world.page.incentives.filter(kind="grant").update(winners=2)
    late = factories.submitted_proposal(
        challenge_page=world.page, owner=factories.UserFactory(), amount=10_000_00
    )
    factories.close_challenge(world.page)
    second = awards_services.award_create(
        proposal=late,
        amount=10_000_00,
        by=world.official,
        milestones=[awards_services.MilestonePlan("Tahap 1", 10_000_00, timezone.localdate() + 30 * DAY)],
        in_kind={world.offer.pk: 15},
    )

    page = ChallengePage.objects.get(pk=world.page.pk)
    approve = reverse(
        "wagtailadmin_pages:workflow_action", args=(page.pk, "approve", page.current_workflow_task_state.pk)
    )
    head = signed_in_client(world.head)
    edit = _edit_url(page)
    refused = head.post(approve, {"comment": ""}, headers={"referer": f"http://testserver{edit}"})
    assert (refused.status_code, refused.url) == (302, f"http://testserver{edit}")
    refused = head.get(refused.url)
    with translation.override("id"):
        too_few = gettext(
            "%(drawn)s %(unit)s have already been given to winners; the quantity cannot be lower."
        ) % {"drawn": 25, "unit": "jam pendampingan"}
    assert escape(too_few) in refused.text
    page = ChallengePage.objects.get(pk=world.page.pk)
    assert page.workflow_in_progress  # the head can still request changes
    offer = page.incentives.get(kind="in_kind")
    assert (offer.pk, offer.quantity, offer.remaining) == (world.offer.pk, 40, 15)
    assert second.in_kind_drawdowns.get().quantity == 15
    assert _left(15, 40) in Client().get(f"/challenges/{page.slug}/").text
