"""A consortium, through HTTP as each user walks it: two organisations register, one asks a public
question that an official answers, drafts a proposal, invites the other as a partner, completes
the draft but is refused submission while the partner has not answered, and submits once it
accepts; the partner's own proposal is submitted and then withdrawn before the deadline.

Pages are read in Bahasa Indonesia, the site's default language."""

from __future__ import annotations

import datetime

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from core.models import AuditEntry, Notification
from marketplace.challenges.models import ApplicationQuestion, ChallengePage, Question
from marketplace.organisations.models import Organisation
from marketplace.proposals.models import Proposal, ProposalPartner
from tests import factories
from tests.factories import PASSWORD, UserFactory

pytestmark = pytest.mark.django_db

CHALLENGE = "air-bersih-desa"
QUESTION = "Apakah politeknik boleh menjadi mitra konsorsium?"
ANSWER = "Boleh, asalkan perannya dan porsi anggarannya tertulis di proposal."
VILLAGES = "Berapa desa yang akan dijangkau?"


def signed_in(username: str, password: str = PASSWORD) -> Client:
    client = Client()
    response = client.post(reverse("login"), {"login": username, "password": password})
    assert response.status_code == 302, "sign-in failed"
    return client


def messages_of(response) -> list[str]:
    return [str(m) for m in response.context["messages"]] if response.context else []


def rows(prefix: str, items: list[dict]) -> dict:
    """A formset as the browser posts it (no pre-existing rows: the page replaces them all)."""
    data = {
        f"{prefix}-TOTAL_FORMS": str(len(items)),
        f"{prefix}-INITIAL_FORMS": "0",
        f"{prefix}-MIN_NUM_FORMS": "0",
        f"{prefix}-MAX_NUM_FORMS": "1000",
    }
    for i, row in enumerate(items):
        data.update({f"{prefix}-{i}-{name}": value for name, value in row.items()})
    return data


def draft_form(
    *,
    title: str,
    requested: str,
    milestones: list[dict] = (),
    budget: list[dict] = (),
    team: list[dict] = (),
    answers: dict[int, str] | None = None,
    **texts: str,
) -> dict:
    """The draft page's one form, as "Simpan draf" posts it."""
    data = {
        "title": title,
        "summary": texts.get("summary", "Air bersih untuk desa-desa di lereng bukit."),
        "problem": texts.get("problem", ""),
        "solution": texts.get("solution", ""),
        "inclusion": texts.get("inclusion", ""),
        "plan": texts.get("plan", ""),
        "requested_amount": requested,
        **rows("milestones", list(milestones)),
        **rows("budget", list(budget)),
        **rows("team", list(team)),
    }
    data.update({f"answer-{pk}": text for pk, text in (answers or {}).items()})
    return data


def in_days(days: int) -> str:
    return (timezone.localdate() + datetime.timedelta(days=days)).isoformat()


def register_organisation(client: Client, *, name: str, kind: str, region) -> Organisation:
    assert client.get("/organisations/new/").status_code == 200
    response = client.post(
        "/organisations/new/",
        {"name": name, "kind": kind, "region": region.pk, "description": ""},
        follow=True,
    )
    assert "Organisasi berhasil didaftarkan." in messages_of(response)
    organisation = Organisation.objects.get(name=name)
    assert response.redirect_chain[-1][0] == organisation.get_absolute_url()
    return organisation


def transitions_of(proposal: Proposal) -> list[tuple[str, str, str, str | None]]:
    """The audited state-machine steps of a proposal: (action, before, after, ip), oldest first."""
    entries = AuditEntry.objects.filter(
        object_type="proposals.proposal", object_id=str(proposal.pk), after__has_key="transition"
    ).order_by("created_at", "pk")
    return [(e.action, e.before["status"], e.after["status"], e.ip_address) for e in entries]


@pytest.fixture
def open_challenge():
    """An open challenge in a WITA region that accepts consortia of startups and universities
    registered in the region, up to Rp 150.000.000, with one question every proposal answers."""
    region = factories.region("Kabupaten Sumba Barat", timezone_name="Asia/Makassar")
    official = UserFactory(username="pejabat_pupr", roles=["official"])
    agency = factories.agency(region, officials=[official])
    agency.name = "Dinas Pekerjaan Umum"
    agency.save(update_fields=["name"])
    challenge = factories.challenge(
        agency_obj=agency,
        title="Air bersih untuk desa",
        slug=CHALLENGE,
        incentives=(("grant", 300_000_000_00),),
    )
    ChallengePage.objects.filter(pk=challenge.pk).update(
        consortium_allowed=True,
        eligible_kinds=["startup", "perguruan_tinggi"],
        must_be_registered_in_region=True,
        max_requested_amount=150_000_000_00,
    )
    ApplicationQuestion.objects.create(challenge=challenge, text=VILLAGES, required=True)
    return ChallengePage.objects.get(pk=challenge.pk), region


def test_two_organisations_form_a_consortium_submit_and_withdraw(
    open_challenge, django_capture_on_commit_callbacks, mailoutbox
):
    challenge, region = open_challenge
    villages = challenge.application_questions.get()
    UserFactory(username="ayu_tirta", email="ayu.tirta@example.id", first_name="Ayu", last_name="Wulandari")
    UserFactory(username="budi_poltek", email="budi.poltek@example.id")
    public = Client()

    # 1. Each owner signs in and registers their organisation.
    ayu = signed_in("ayu_tirta")
    budi = signed_in("budi_poltek")
    tirta = register_organisation(ayu, name="PT Tirta Nusantara", kind="startup", region=region)
    poltek = register_organisation(budi, name="Politeknik Sumba", kind="perguruan_tinggi", region=region)

    # 2. Ayu asks in public; it is not shown until an official answers it.
    page = ayu.get(f"/challenges/{CHALLENGE}/")
    assert 'name="qa-body"' in page.text
    response = ayu.post(f"/challenges/{CHALLENGE}/questions/", {"qa-body": QUESTION}, follow=True)
    assert messages_of(response) == [
        "Pertanyaan Anda terkirim. Pertanyaan akan tampil di halaman ini setelah pejabat menjawabnya."
    ]
    question = Question.objects.get(challenge=challenge)
    assert QUESTION not in public.get(f"/challenges/{CHALLENGE}/").text

    # The official finds it in the workspace and answers it there.
    official = signed_in("pejabat_pupr")
    workspace = official.get("/workspace/approvals/")
    assert QUESTION in workspace.text and f"/workspace/questions/{question.pk}/" in workspace.text
    assert official.get(f"/workspace/questions/{question.pk}/").status_code == 200
    response = official.post(f"/workspace/questions/{question.pk}/", {"answer": ANSWER}, follow=True)
    assert messages_of(response) == ["Jawaban dipublikasikan di halaman tantangan."]

    # The public sees question and answer, without who asked.
    page = public.get(f"/challenges/{CHALLENGE}/").text
    assert QUESTION in page and ANSWER in page
    for identity in ("ayu_tirta", "ayu.tirta@example.id", "Wulandari", "PT Tirta Nusantara"):
        assert identity not in page
    assert Notification.objects.filter(
        user__username="ayu_tirta", message="Pertanyaan Anda tentang “Air bersih untuk desa” sudah dijawab."
    ).exists()

    # 3. Ayu starts a proposal for PT Tirta Nusantara and saves a first, incomplete draft.
    assert ayu.get(f"/challenges/{CHALLENGE}/apply/").status_code == 200
    response = ayu.post(
        f"/challenges/{CHALLENGE}/apply/",
        {
            "organisation": tirta.pk,
            "title": "Air Bersih Tirta",
            "summary": "Pompa tenaga surya dan pipa untuk desa di lereng bukit.",
            "plan": "",
            "requested_amount": "120.000.000",
        },
        follow=True,
    )
    assert messages_of(response) == ["Draf tersimpan. Lengkapi dan kirim sebelum tenggat."]
    consortium = Proposal.objects.get(title="Air Bersih Tirta")
    url = f"/workspace/proposals/{consortium.pk}/"
    assert response.redirect_chain[-1][0] == url
    assert (consortium.organisation, consortium.requested_amount) == (tirta, 120_000_000_00)
    assert "Simpan draf" in response.text and '<span class="badge badge--draft">Draf</span>' in response.text

    response = ayu.post(
        url,
        draft_form(
            title="Air Bersih Tirta",
            requested="120.000.000",
            problem="Warga berjalan dua jam setiap hari untuk mengambil air.",
            solution="Pompa tenaga surya mengisi tandon di puncak desa.",
            milestones=[{"deliverable": "Pompa pertama", "due_date": in_days(60), "amount": "70.000.000"}],
        ),
        follow=True,
    )
    assert messages_of(response) == ["Proposal tersimpan."]
    consortium.refresh_from_db()
    assert consortium.solution.startswith("Pompa tenaga surya") and consortium.planned_milestones.count() == 1
    assert (
        '<a href="#milestones">Jumlah semua tahapan sama dengan nilai yang diajukan '
        "(Rp 70.000.000 dari Rp 120.000.000)</a>" in response.text
    )

    # 4. Ayu invites Politeknik Sumba as a partner with a role and a budget share.
    with django_capture_on_commit_callbacks(execute=True):  # the invitation email leaves on commit
        response = ayu.post(
            f"{url}partners/",
            {"organisation": poltek.pk, "role": "Pelatihan operator desa", "budget_share": "30.000.000"},
            follow=True,
        )
    assert messages_of(response) == [
        "Politeknik Sumba telah diundang; anggotanya akan menjawab di ruang kerja mereka."
    ]
    partner = ProposalPartner.objects.get(proposal=consortium)
    assert (partner.organisation, partner.role, partner.budget_share, partner.status) == (
        poltek,
        "Pelatihan operator desa",
        30_000_000_00,
        ProposalPartner.Status.INVITED,
    )
    invitation = (
        "PT Tirta Nusantara mengundang Politeknik Sumba untuk bergabung dalam konsorsium proposal "
        "“Air Bersih Tirta”."
    )
    assert [(m.to, m.subject) for m in mailoutbox] == [(["budi.poltek@example.id"], invitation)]

    # The partner shows as invited, and the checklist names it as waiting.
    page = ayu.get(url).text
    assert '<span class="badge badge--invited">Diundang</span>' in page and "Rp 30.000.000" in page
    waiting = "Semua mitra sudah menerima (1 menunggu, 0 menolak: keluarkan mereka)"
    assert f'<a href="#partners">{waiting}</a>' in page

    # 5. Ayu completes the other parts: milestones and budget adding up to the amount, who
    # benefits, the team and the challenge's own question. Only the partner is missing then,
    # and submission is refused, naming it.
    complete = draft_form(
        title="Air Bersih Tirta",
        requested="120.000.000",
        problem="Warga berjalan dua jam setiap hari untuk mengambil air.",
        solution="Pompa tenaga surya mengisi tandon di puncak desa.",
        inclusion="Keran di depan rumah lansia dan penyandang disabilitas; perempuan mengelola iuran.",
        plan="Dua desa dulu, lalu lima desa lagi bersama operator yang dilatih politeknik.",
        milestones=[
            {"deliverable": "Pompa di dua desa", "due_date": in_days(60), "amount": "70.000.000"},
            {"deliverable": "Lima desa tersambung", "due_date": in_days(150), "amount": "50.000.000"},
        ],
        budget=[
            {"category": "equipment", "description": "Pompa surya dan tandon", "amount": "80.000.000"},
            {"category": "personnel", "description": "Pelatihan operator", "amount": "30.000.000"},
            {"category": "software", "description": "Pemantauan debit lewat SMS", "amount": "10.000.000"},
        ],
        team=[
            {"name": "Ayu Wulandari", "role": "Ketua tim", "expertise": "Teknik sipil"},
            {"name": "Budi Santoso", "role": "Pelatih operator", "expertise": "Mesin"},
        ],
        answers={villages.pk: "Tujuh desa di Kecamatan Lamboya."},
    )
    response = ayu.post(url, complete, follow=True)
    assert messages_of(response) == ["Proposal tersimpan."]
    assert f'<a href="#partners">{waiting}</a>' in response.text
    assert "Semuanya sudah lengkap" not in response.text
    response = ayu.post(f"{url}submit/", factories.CONFIRM, follow=True)
    assert messages_of(response) == [f"Proposal belum lengkap. Yang masih kurang: {waiting}."]
    consortium.refresh_from_db()
    assert consortium.status == Proposal.Status.DRAFT and not consortium.versions.exists()
    assert transitions_of(consortium) == []

    # 6. Budi sees the invitation in his workspace, reads the draft and accepts.
    assert invitation in budi.get("/workspace/").text  # told on the home
    workspace = budi.get("/workspace/proposals/").text
    assert "Undangan konsorsium" in workspace
    listed = "PT Tirta Nusantara mengundang Politeknik Sumba untuk bergabung dalam “Air Bersih Tirta”"
    assert listed in workspace and "Pelatihan operator desa" in workspace
    assert f"/workspace/partnerships/{partner.pk}/respond/" in workspace
    draft_page = budi.get(url)
    assert draft_page.status_code == 200 and "Simpan draf" not in draft_page.text
    response = budi.post(f"/workspace/partnerships/{partner.pk}/respond/", {"answer": "accept"}, follow=True)
    assert messages_of(response) == ["Anda telah bergabung dalam konsorsium “Air Bersih Tirta”."]
    assert "Undangan konsorsium" not in response.text
    partner.refresh_from_db()
    assert partner.status == ProposalPartner.Status.ACCEPTED
    assert partner.responded_by.username == "budi_poltek"
    # A partner takes part but does not act for the lead: he may not submit or withdraw it.
    assert budi.post(f"{url}submit/", factories.CONFIRM).status_code == 403
    assert budi.post(f"{url}withdraw/", factories.CONFIRM).status_code == 403

    # Ayu's checklist is now all ticked.
    page = ayu.get(url).text
    all_accepted = "Semua mitra sudah menerima (0 menunggu, 0 menolak: keluarkan mereka)"
    assert '<span class="badge badge--accepted">Diterima</span>' in page and all_accepted in page
    assert "Semuanya sudah lengkap: Anda dapat mengirim proposal." in page

    # 7. Ayu submits: the proposal is sent with its partner, frozen, and no longer editable.
    response = ayu.post(f"{url}submit/", factories.CONFIRM, follow=True)
    assert messages_of(response) == ["Proposal terkirim. OPD akan memeriksanya."]
    assert '<span class="badge badge--submitted">Dikirim</span>' in response.text
    assert "Simpan draf" not in response.text and "Versi 1" in response.text
    consortium.refresh_from_db()
    assert consortium.status == Proposal.Status.SUBMITTED and consortium.submitted_at is not None
    frozen = consortium.versions.get().data
    assert [(p["organisation"], p["status"], p["budget_share"]) for p in frozen["partners"]] == [
        ("Politeknik Sumba", "accepted", 30_000_000_00)
    ]
    assert sum(line["amount"] for line in frozen["budget_lines"]) == 120_000_000_00
    assert frozen["answers"][0]["answer"] == "Tujuh desa di Kecamatan Lamboya."

    # A POST to the edit form of the submitted proposal changes nothing.
    tampered = {**complete, "title": "Diubah setelah dikirim", "requested_amount": "150.000.000"}
    response = ayu.post(url, tampered, follow=True)
    assert "Simpan draf" not in response.text
    assert "Proposal yang sudah dikirim tidak dapat diubah lagi." in response.text
    consortium.refresh_from_db()
    assert (consortium.title, consortium.requested_amount) == ("Air Bersih Tirta", 120_000_000_00)
    assert consortium.budget_lines.count() == 3 and consortium.versions.count() == 1
    assert transitions_of(consortium) == [("proposal.submitted", "draft", "submitted", "127.0.0.1")]

    # Both owners were told in their workspace; the partner follows the submitted proposal there.
    ayu_workspace = ayu.get("/workspace/").text
    assert "Pertanyaan Anda tentang “Air bersih untuk desa” sudah dijawab." in ayu_workspace
    assert "Politeknik Sumba bersedia bergabung dalam proposal “Air Bersih Tirta”." in ayu_workspace
    budi_workspace = budi.get("/workspace/").text
    assert invitation in budi_workspace
    assert f'<a href="{url}">Air Bersih Tirta</a>' in budi.get("/workspace/proposals/").text
    assert set(Notification.objects.values_list("user__username", flat=True)) == {"ayu_tirta", "budi_poltek"}
    # Everyone in the consortium has a receipt for the submission, on screen and by email.
    receipt = "“Air Bersih Tirta” sudah dikirim ke Dinas Pekerjaan Umum (versi 1)."
    assert receipt in ayu_workspace and receipt in budi_workspace

    # 8. Budi's own proposal for Politeknik Sumba: drafted, submitted, then withdrawn in time.
    response = budi.post(
        f"/challenges/{CHALLENGE}/apply/",
        {
            "organisation": poltek.pk,
            "title": "Operator Air Desa",
            "summary": "Sekolah lapang untuk operator air desa.",
            "plan": "",
            "requested_amount": "40.000.000",
        },
        follow=True,
    )
    alone = Proposal.objects.get(title="Operator Air Desa")
    alone_url = f"/workspace/proposals/{alone.pk}/"
    assert response.redirect_chain[-1][0] == alone_url
    response = budi.post(
        alone_url,
        draft_form(
            title="Operator Air Desa",
            requested="40.000.000",
            summary="Sekolah lapang untuk operator air desa.",
            problem="Pompa desa rusak karena tidak ada yang merawat.",
            solution="Sekolah lapang tiga bulan bagi pemuda desa.",
            inclusion="Separuh peserta perempuan; kelas juga di desa terpencil.",
            plan="Satu angkatan per semester.",
            milestones=[{"deliverable": "Angkatan pertama", "due_date": in_days(90), "amount": "40.000.000"}],
            budget=[{"category": "personnel", "description": "Honor pelatih", "amount": "40.000.000"}],
            team=[{"name": "Budi Santoso", "role": "Koordinator", "expertise": ""}],
            answers={villages.pk: "Tiga desa."},
        ),
        follow=True,
    )
    assert "Semuanya sudah lengkap: Anda dapat mengirim proposal." in response.text
    response = budi.post(f"{alone_url}submit/", factories.CONFIRM, follow=True)
    assert messages_of(response) == ["Proposal terkirim. OPD akan memeriksanya."]
    assert "Tarik proposal" in response.text
    response = budi.post(f"{alone_url}withdraw/", factories.CONFIRM, follow=True)
    assert messages_of(response) == ["Proposal ditarik."]
    assert '<span class="badge badge--withdrawn">Ditarik</span>' in response.text
    assert "Tarik proposal" not in response.text
    alone.refresh_from_db()
    assert alone.status == Proposal.Status.WITHDRAWN

    # Withdrawn is final: submitting again is refused, and nothing is audited for it.
    response = budi.post(f"{alone_url}submit/", factories.CONFIRM, follow=True)
    assert messages_of(response) == ["Tindakan ini tidak dapat dilakukan selama statusnya “Ditarik”."]
    alone.refresh_from_db()
    assert alone.status == Proposal.Status.WITHDRAWN and alone.versions.count() == 1
    assert transitions_of(alone) == [
        ("proposal.submitted", "draft", "submitted", "127.0.0.1"),
        ("proposal.withdrawn", "submitted", "withdrawn", "127.0.0.1"),
    ]
    assert set(
        AuditEntry.objects.filter(object_id=str(alone.pk), after__has_key="transition").values_list(
            "actor__username", flat=True
        )
    ) == {"budi_poltek"}

    # The withdrawal leaves the consortium's proposal as it was.
    consortium.refresh_from_db()
    assert consortium.status == Proposal.Status.SUBMITTED
