"""Public Q&A on a challenge: asking before the deadline, answers in public without the asker,
merging and pinning by officials, the workspace lists, and notifications."""

from __future__ import annotations

import datetime
import zoneinfo

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from core.errors import DomainError
from core.models import AuditEntry, Notification
from marketplace.challenges.models import ChallengePage, Question
from marketplace.challenges.services import questions as question_services
from tests import factories

pytestmark = pytest.mark.django_db

WITA = zoneinfo.ZoneInfo("Asia/Makassar")


def page_of(client, challenge) -> str:
    response = client.get(f"/challenges/{challenge.slug}/")
    assert response.status_code == 200
    return response.content.decode()


def close_questions(challenge: ChallengePage, at: datetime.datetime) -> ChallengePage:
    ChallengePage.objects.filter(pk=challenge.pk).update(qa_closes_at=at)
    return ChallengePage.objects.get(pk=challenge.pk)


def test_question_is_answered_in_public_without_the_askers_identity(
    client, challenge, official, mailoutbox, django_capture_on_commit_callbacks
):
    asker = factories.UserFactory(username="warga_penanya", email="penanya@example.id")
    client.force_login(asker)
    response = client.post(
        f"/challenges/{challenge.slug}/questions/", {"qa-body": "Apakah koperasi desa boleh ikut?"}
    )
    assert response.status_code == 302
    assert response["Location"] == f"/challenges/{challenge.slug}/#qa"
    question = Question.objects.get()
    assert (question.asked_by, question.challenge_id) == (asker, challenge.pk)
    # Not public until answered.
    client.logout()
    assert "Apakah koperasi desa boleh ikut?" not in page_of(client, challenge)

    client.force_login(official)
    assert client.get(f"/workspace/questions/{question.pk}/").status_code == 200
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            f"/workspace/questions/{question.pk}/", {"answer": "Boleh, asalkan berbadan hukum."}
        )
    assert response.status_code == 302

    client.logout()
    html = page_of(client, challenge)
    assert "Apakah koperasi desa boleh ikut?" in html
    assert "Boleh, asalkan berbadan hukum." in html
    assert "warga_penanya" not in html and "penanya@example.id" not in html

    notification = Notification.objects.get(user=asker)
    assert notification.url == f"/challenges/{challenge.slug}/#question-{question.pk}"
    assert [m.to for m in mailoutbox] == [["penanya@example.id"]]
    assert "Boleh, asalkan berbadan hukum." in mailoutbox[0].body
    actions = set(
        AuditEntry.objects.filter(object_type="challenges.question").values_list("action", flat=True)
    )
    assert actions == {"question.asked", "question.answered"}


def test_correcting_an_answer_does_not_notify_the_asker_again(challenge, official):
    question = factories.answered_question(challenge_page=challenge, official=official, answer="Ya.")
    question_services.question_answer(question=question, by=official, answer="Ya, sampai 3 anggota.")
    assert Notification.objects.filter(user=question.asked_by).count() == 1
    assert Question.objects.get(pk=question.pk).answer == "Ya, sampai 3 anggota."


def test_visitor_is_asked_to_sign_in_and_signed_in_user_sees_the_form(client, challenge):
    html = page_of(client, challenge)
    assert 'name="qa-body"' not in html
    assert "/accounts/login/?next=" in html
    client.force_login(factories.UserFactory())
    assert 'name="qa-body"' in page_of(client, challenge)


def test_after_the_deadline_the_form_is_gone_and_a_post_is_refused(client, challenge):
    deadline = timezone.now() - datetime.timedelta(hours=1)
    challenge = close_questions(challenge, deadline)
    client.force_login(factories.UserFactory())
    html = page_of(client, challenge)
    assert 'name="qa-body"' not in html

    response = client.post(
        f"/en/challenges/{challenge.slug}/questions/", {"qa-body": "Masih bisa bertanya?"}, follow=True
    )
    shown = timezone.localtime(deadline, WITA).strftime("%d-%m-%Y %H:%M")
    assert [str(m) for m in response.context["messages"]] == [
        f"Questions on this challenge closed at {shown} WITA; your question was not sent."
    ]
    assert not Question.objects.exists()


@pytest.mark.parametrize(
    "asked_at, accepted",
    [(datetime.datetime(2026, 3, 10, 23, 58), True), (datetime.datetime(2026, 3, 11, 0, 0), False)],
)
def test_the_deadline_is_kept_in_the_regions_time(challenge, asked_at, accepted, english_messages):
    # Questions close at 23:59 WITA: asking at 23:58 WITA is in time; at 00:00 WITA it is not.
    challenge = close_questions(challenge, datetime.datetime(2026, 3, 10, 23, 59, tzinfo=WITA))
    ask = {
        "challenge": challenge,
        "by": factories.UserFactory(),
        "body": "Tepat waktu?",
        "now": asked_at.replace(tzinfo=WITA),
    }
    if accepted:
        assert question_services.question_ask(**ask).pk
    else:
        with pytest.raises(DomainError, match="10-03-2026 23:59 WITA"):
            question_services.question_ask(**ask)
        assert not Question.objects.exists()


def test_questions_close_with_the_submissions_when_no_qa_deadline_is_set(challenge, english_messages):
    assert challenge.qa_closes_at is None
    after = challenge.closes_at + datetime.timedelta(minutes=1)
    with pytest.raises(DomainError, match="your question was not sent"):
        question_services.question_ask(
            challenge=challenge, by=factories.UserFactory(), body="Telat?", now=after
        )


@pytest.mark.parametrize("body", ["", "   ", "x" * 2001])
def test_bad_question_gets_a_message_and_nothing_is_saved(client, challenge, body):
    client.force_login(factories.UserFactory())
    response = client.post(f"/challenges/{challenge.slug}/questions/", {"qa-body": body})
    assert response.status_code == 200
    assert response.context["form"].errors["body"]
    assert not Question.objects.exists()


def test_merged_question_points_its_asker_to_the_original_answer(client, challenge, official):
    original = factories.question(challenge_page=challenge, body="Berapa maksimal anggaran?")
    repeat = factories.question(challenge_page=challenge, body="Anggaran paling banyak berapa?")
    client.force_login(official)
    response = client.post(f"/workspace/questions/{repeat.pk}/merge/", {"duplicate_of": original.pk})
    assert response.status_code == 302
    assert Question.objects.get(pk=repeat.pk).duplicate_of_id == original.pk
    assert not Notification.objects.exists()  # the original has no answer yet

    question_services.question_answer(question=original, by=official, answer="Rp 150 juta.")
    told = Notification.objects.filter(url=f"/challenges/{challenge.slug}/#question-{original.pk}")
    assert set(told.values_list("user", flat=True)) == {original.asked_by_id, repeat.asked_by_id}

    client.logout()
    html = page_of(client, challenge)
    assert html.count("Berapa maksimal anggaran?") == 1
    assert "Anggaran paling banyak berapa?" not in html

    # The merged question's asker reads the answer in their workspace.
    client.force_login(repeat.asked_by)
    html = client.get("/workspace/proposals/").content.decode()
    assert "Anggaran paling banyak berapa?" in html and "Rp 150 juta." in html


def test_merging_into_an_answered_question_tells_the_asker_at_once(challenge, official):
    original = factories.answered_question(challenge_page=challenge, official=official, answer="Tidak.")
    repeat = factories.question(challenge_page=challenge)
    question_services.question_merge(question=repeat, into=original, by=official)
    assert Notification.objects.get(user=repeat.asked_by).url.endswith(f"#question-{original.pk}")


@pytest.mark.parametrize("target", ["itself", "other_challenge", "merged"])
def test_impossible_merges_are_refused_and_change_nothing(challenge, official, target):
    question = factories.question(challenge_page=challenge)
    original = factories.question(challenge_page=challenge)
    if target == "itself":
        into = question
    elif target == "other_challenge":
        into = factories.question(challenge_page=factories.challenge(agency_obj=challenge.agency))
    else:
        into = factories.question(challenge_page=challenge)
        question_services.question_merge(question=into, into=original, by=official)
    with pytest.raises(DomainError):
        question_services.question_merge(question=question, into=into, by=official)
    assert Question.objects.get(pk=question.pk).duplicate_of_id is None


def test_pinned_questions_are_listed_first(client, challenge, official):
    first = factories.answered_question(challenge_page=challenge, official=official, body="Pertanyaan biasa?")
    important = factories.answered_question(
        challenge_page=challenge, official=official, body="Penting sekali?"
    )
    Question.objects.filter(pk=important.pk).update(
        answered_at=first.answered_at - datetime.timedelta(days=1)
    )
    html = page_of(client, challenge)
    assert html.index("Pertanyaan biasa?") < html.index("Penting sekali?")

    client.force_login(official)
    response = client.post(f"/workspace/questions/{important.pk}/pin/", {"pinned": "1"})
    assert response.status_code == 302
    client.logout()
    html = page_of(client, challenge)
    assert html.index("Penting sekali?") < html.index("Pertanyaan biasa?")

    client.force_login(official)
    client.post(f"/workspace/questions/{important.pk}/pin/", {"pinned": "0"})
    assert not Question.objects.get(pk=important.pk).pinned


def test_official_sees_unanswered_questions_of_their_own_challenges_only(client, challenge, official):
    mine = factories.question(challenge_page=challenge, body="Pertanyaan untuk dinas saya?")
    factories.question(challenge_page=factories.challenge(), body="Pertanyaan dinas lain?")
    factories.answered_question(challenge_page=challenge, official=official, body="Sudah dijawab?")
    client.force_login(official)
    response = client.get("/workspace/approvals/")
    assert response.context["questions_to_answer"] == [mine]
    html = response.content.decode()
    assert f"/workspace/questions/{mine.pk}/" in html
    assert "Pertanyaan dinas lain?" not in html


def test_applicant_workspace_lists_the_questions_they_asked(client, challenge, official):
    asker = factories.UserFactory()
    waiting = factories.question(challenge_page=challenge, asker=asker, body="Kapan pengumuman?")
    answered = factories.answered_question(
        challenge_page=challenge, official=official, asker=asker, body="Boleh konsorsium?", answer="Boleh."
    )
    factories.question(challenge_page=challenge, body="Pertanyaan orang lain?")
    client.force_login(asker)
    assert client.get("/workspace/approvals/").status_code == 403
    response = client.get("/workspace/proposals/")
    assert set(response.context["questions_asked"]) == {waiting, answered}
    html = response.content.decode()
    assert "Kapan pengumuman?" in html and "Boleh." in html and "Pertanyaan orang lain?" not in html


def test_notifications_are_listed_and_marked_read(client, challenge, official):
    asker = factories.UserFactory()
    factories.answered_question(challenge_page=challenge, official=official, asker=asker)
    client.force_login(asker)
    response = client.get("/workspace/")
    assert response.context["notifications_unread_count"] == 1
    assert challenge.title in response.content.decode()
    # The workspace's "Mark all as read" form comes back to its section.
    response = client.post("/workspace/notifications/read/", {"next": "/workspace/#notifications"})
    assert response.status_code == 302 and response["Location"] == "/workspace/#notifications"
    assert not Notification.objects.filter(user=asker, read_at__isnull=True).exists()
    assert client.get("/workspace/").context["notifications_unread"] == []


def test_challenge_page_queries_do_not_grow_with_questions_and_listings(client, challenge, official):
    def measure():
        counts = []
        for user in (None, official, factories.organisation().memberships.get().user):
            client.logout()
            if user:
                client.force_login(user)
            page_of(client, challenge)  # warm per-process caches
            with CaptureQueriesContext(connection) as queries:
                page_of(client, challenge)
            counts.append(len(queries))
        return counts

    def add(n):
        for _ in range(n):
            factories.answered_question(challenge_page=challenge, official=official)
            factories.question(challenge_page=challenge)
            factories.partner_listing(challenge_page=challenge)

    add(2)
    small = measure()
    add(8)
    assert Question.objects.public().filter(challenge=challenge).count() == 10
    assert measure() == small
