"""Reminders from Celery beat: a draft whose challenge closes within three days, a review due
when the review period ends within three days, a milestone due within seven days, a pledge not
received after fourteen days. Each goes out once, in its recipient's language, and follows the
recipient's email preference for reminders."""

from __future__ import annotations

import datetime

import pytest
from django.core import mail
from django.utils import timezone

from core import notifications
from core.models import Notification, Reminder
from marketplace.challenges.models import ChallengePage
from marketplace.challenges.services import funds
from marketplace.organisations.models import Membership, UserProfile
from marketplace.proposals.services import drafts
from marketplace.review.models import Review
from marketplace.workspace import tasks
from payments import api as payments_api
from payments.models import Contribution
from tests import factories

pytestmark = pytest.mark.django_db

REMINDERS = Notification.Kind.REMINDERS


def _english(user):
    UserProfile.objects.update_or_create(user=user, defaults={"preferred_language": "en"})
    return user


def _run(capture) -> dict[str, int]:
    with capture(execute=True):
        return tasks.send_reminders.delay().get()


def _reminders(user) -> list[str]:
    return list(Notification.objects.filter(user=user, kind=REMINDERS).values_list("message", flat=True))


def _mail_to(user) -> list:
    return [m for m in mail.outbox if user.email in m.to]


def _draft(challenge, owner, title):
    organisation = factories.organisation(owner, name=f"Organisasi {title}")
    return drafts.proposal_create(
        by=owner, organisation=organisation, challenge=challenge, title=title, requested_amount=10_000_000_00
    )


def test_a_draft_closing_within_three_days_reminds_its_organisation_once(
    official, django_capture_on_commit_callbacks
):
    now = timezone.now()
    closing = factories.challenge(
        officials=[official], title="Air bersih desa", closes_at=now + datetime.timedelta(days=2)
    )
    later = factories.challenge(officials=[official], closes_at=now + datetime.timedelta(days=10))
    owner, member = _english(factories.UserFactory()), factories.UserFactory()
    draft = _draft(closing, owner, "Pipa pintar")
    Membership.objects.create(organisation=draft.organisation, user=member)
    _draft(later, factories.UserFactory(), "Belum mendesak")
    mail.outbox.clear()

    assert _run(django_capture_on_commit_callbacks)["drafts_closing"] == 1
    (english,) = _reminders(owner)
    (indonesian,) = _reminders(member)
    assert english.startswith("Your draft “Pipa pintar” is not submitted yet; “Air bersih desa” closes on")
    assert indonesian.startswith("Draf “Pipa pintar” Anda belum dikirim; “Air bersih desa” ditutup pada")
    assert _mail_to(owner)[0].subject.startswith("Reminder: submit “Pipa pintar” before")
    assert f"/en/workspace/proposals/{draft.pk}/" in _mail_to(owner)[0].body
    assert _mail_to(member)[0].subject.startswith("Pengingat: kirim “Pipa pintar” sebelum")
    assert Notification.objects.filter(kind=REMINDERS).count() == 2

    sent = len(mail.outbox)
    assert _run(django_capture_on_commit_callbacks)["drafts_closing"] == 0
    assert len(mail.outbox) == sent and Notification.objects.filter(kind=REMINDERS).count() == 2
    assert Reminder.objects.filter(key=f"draft-closing:{draft.pk}").count() == 1


def test_a_submitted_proposal_gets_no_draft_reminder(official, django_capture_on_commit_callbacks):
    challenge = factories.challenge(
        officials=[official], closes_at=timezone.now() + datetime.timedelta(days=1)
    )
    owner = factories.UserFactory()
    factories.submitted_proposal(challenge_page=challenge, owner=owner)
    assert _run(django_capture_on_commit_callbacks)["drafts_closing"] == 0
    assert _reminders(owner) == []


def test_a_review_due_within_three_days_reminds_the_reviewer_once(
    official, django_capture_on_commit_callbacks
):
    challenge = factories.challenge(officials=[official], title="Antrean puskesmas")
    pending = factories.proposal_in_review(challenge, official=official, title="Antrean daring")
    done = factories.proposal_in_review(challenge, official=official, title="Kios antrean")
    reviewer, finished = (
        factories.UserFactory(roles=["reviewer"]),
        _english(factories.UserFactory(roles=["reviewer"])),
    )
    assignment = factories.assign(pending, reviewer)
    submitted = factories.assign(done, finished)
    Review.objects.create(assignment=submitted, status=Review.Status.SUBMITTED, submitted_at=timezone.now())
    due = timezone.localdate() + datetime.timedelta(days=3)
    ChallengePage.objects.filter(pk=challenge.pk).update(review_ends_on=due)
    mail.outbox.clear()

    assert _run(django_capture_on_commit_callbacks)["reviews_due"] == 1
    (message,) = _reminders(reviewer)
    assert message.startswith("Penilaian Anda untuk “Antrean puskesmas” harus selesai paling lambat")
    assert _reminders(finished) == []
    assert _mail_to(reviewer)[0].subject.startswith("Pengingat: penilaian paling lambat")
    assert f"/workspace/reviews/{assignment.pk}/" in _mail_to(reviewer)[0].body

    assert _run(django_capture_on_commit_callbacks)["reviews_due"] == 0
    assert len(_reminders(reviewer)) == 1 and len(_mail_to(reviewer)) == 1


def test_a_review_period_ending_later_reminds_nobody_yet(official, django_capture_on_commit_callbacks):
    challenge = factories.challenge(officials=[official])
    reviewer = factories.UserFactory(roles=["reviewer"])
    factories.assign(factories.proposal_in_review(challenge, official=official), reviewer)
    ChallengePage.objects.filter(pk=challenge.pk).update(
        review_ends_on=timezone.localdate() + datetime.timedelta(days=4)
    )
    assert _run(django_capture_on_commit_callbacks)["reviews_due"] == 0
    assert _reminders(reviewer) == []


def test_a_milestone_due_within_seven_days_reminds_the_grantee_once(
    official, finance, django_capture_on_commit_callbacks
):
    challenge = factories.challenge(officials=[official])
    factories.allocation(challenge, finance=finance)
    owner = _english(factories.UserFactory())
    proposal = factories.proposal_in_review(challenge, official=official, owner=owner, title="Sensor banjir")
    award = factories.awarded_proposal(proposal, official=official, milestones=2, accepted_by=owner)
    first, second = award.milestones.order_by("position")
    first.due_date = timezone.localdate() + datetime.timedelta(days=7)
    first.save(update_fields=["due_date"])  # the second stays due in 30 days
    mail.outbox.clear()

    assert _run(django_capture_on_commit_callbacks)["milestones_due"] == 1
    (message,) = _reminders(owner)
    assert message.startswith("Milestone “Tahap 1” of “Sensor banjir” is due on")
    assert _mail_to(owner)[0].subject.startswith("Reminder: milestone “Tahap 1” due on")
    assert f"/en/workspace/milestones/{first.pk}/report/" in _mail_to(owner)[0].body
    assert _reminders(official) == []

    assert _run(django_capture_on_commit_callbacks)["milestones_due"] == 0
    assert len(_reminders(owner)) == 1 and len(_mail_to(owner)) == 1


def _pledge(challenge, sponsor, *, days_ago: int, amount: int = 5_000_000_00) -> Contribution:
    pledge = payments_api.contribution_create(
        fund=funds.challenge_fund(challenge),
        by=sponsor,
        sponsor_name="PT Mitra",
        email=sponsor.email,
        public=False,
        amount=amount,
        rail=Contribution.Rail.PLEDGE,
    )
    Contribution.objects.filter(pk=pledge.pk).update(
        created_at=timezone.now() - datetime.timedelta(days=days_ago)
    )
    return pledge


def test_a_pledge_not_received_after_fourteen_days_reminds_the_sponsor_once(
    official, sponsor, finance, django_capture_on_commit_callbacks
):
    challenge = factories.challenge(officials=[official])
    _english(sponsor)
    late = _pledge(challenge, sponsor, days_ago=15)
    _pledge(challenge, sponsor, days_ago=3, amount=1_000_000_00)  # still time
    received = _pledge(challenge, sponsor, days_ago=20, amount=2_000_000_00)
    payments_api.pledge_confirm(contribution=received, by=finance, bank_reference="BNI-9")
    mail.outbox.clear()

    assert _run(django_capture_on_commit_callbacks)["pledges_unpaid"] == 1
    (message,) = _reminders(sponsor)
    assert message.startswith("We have not received your pledge of Rp 5.000.000 to")
    assert _mail_to(sponsor)[0].subject == "Reminder: your pledge of Rp 5.000.000 is not received yet"
    assert f"/en/workspace/contributions/{late.pk}/" in _mail_to(sponsor)[0].body

    assert _run(django_capture_on_commit_callbacks)["pledges_unpaid"] == 0
    assert len(_reminders(sponsor)) == 1 and len(_mail_to(sponsor)) == 1


def test_reminders_follow_the_recipients_email_preference(
    official, sponsor, django_capture_on_commit_callbacks
):
    challenge = factories.challenge(
        officials=[official], closes_at=timezone.now() + datetime.timedelta(hours=20)
    )
    notifications.preferences_set(user=sponsor, deliveries={"reminders": "off"})
    _pledge(challenge, sponsor, days_ago=30)
    owner = factories.UserFactory()
    notifications.preferences_set(user=owner, deliveries={"reminders": "digest"})
    _draft(challenge, owner, "Draf terlambat")
    mail.outbox.clear()

    _run(django_capture_on_commit_callbacks)
    assert len(_reminders(sponsor)) == 1 and len(_reminders(owner)) == 1  # kept in the app
    assert _mail_to(sponsor) == [] and _mail_to(owner) == []
    with django_capture_on_commit_callbacks(execute=True):
        notifications.send_daily_digests()
    assert _mail_to(sponsor) == []
    (digest,) = _mail_to(owner)
    assert (
        "Pengingat tenggat waktu:" in digest.body
        and "Draf “Draf terlambat” Anda belum dikirim" in digest.body
    )


def test_reminders_run_from_beat(settings):
    entry = settings.CELERY_BEAT_SCHEDULE["send-reminders"]
    assert entry["task"] == "marketplace.workspace.tasks.send_reminders"
    assert tasks.send_reminders.name == entry["task"]
