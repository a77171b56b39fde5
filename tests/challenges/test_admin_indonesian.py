"""An official using the Wagtail admin in Indonesian (the default language) reads the project's
labels, and Wagtail's own that Wagtail 8 leaves in English, in Indonesian."""

import json
import re
from html.parser import HTMLParser

import pytest
from django.urls import reverse
from django.utils import translation
from django.utils.translation import gettext

from tests import factories

pytestmark = pytest.mark.django_db

# English label -> the Indonesian the admin shows instead.
EDITOR_LABELS = {
    "Agency": "OPD / dinas",
    "Sector": "Sektor",
    "Autosave is paused": "Simpan otomatis dijeda",
    "Comments": "Komentar",
    "Preview in new tab": "Pratinjau di tab baru",
}
DASHBOARD_LABELS = {
    "Your pages and snippets in a workflow": "Halaman dan potongan Anda dalam alur kerja",
}
# Shown on some states of a page only: never in English.
NEVER_ENGLISH = {"In progress", "Privacy and access", "Set publishing schedule", "Approved", "Needs changes"}
WORKFLOW_REPORT_LABELS = {
    "Workflows": "Alur kerja",
    "By task": "Menurut tugas",
    "Requested by": "Diajukan oleh",
}
MENU_LABELS = {"Reports": "Laporan", "Help": "Bantuan"}
# Shown only to whoever may approve: checked in the catalogue.
APPROVER_ACTIONS = {"Approve with comment": "Setujui dengan komentar", "Request changes": "Minta perbaikan"}


class _Texts(HTMLParser):
    """The text a person reads: each text node and each placeholder/aria-label/title, stripped."""

    def __init__(self):
        super().__init__()
        self.texts: set[str] = set()
        self._hidden = 0

    def handle_starttag(self, tag, attrs):
        if tag in ("script", "style", "template"):
            self._hidden += 1
        for name, value in attrs:
            if name in ("placeholder", "aria-label", "title") and value:
                self.texts.add(" ".join(value.split()))

    def handle_endtag(self, tag):
        if tag in ("script", "style", "template"):
            self._hidden -= 1

    def handle_data(self, data):
        if not self._hidden and data.strip():
            self.texts.add(" ".join(data.split()))


def _texts(html: str) -> set[str]:
    parser = _Texts()
    parser.feed(html)
    return parser.texts


def _menu_labels(html: str) -> set[str]:
    """The sidebar's menu, which the admin's script draws from JSON in the page."""
    props = re.search(
        r'<script id="wagtail-sidebar-props" type="application/json">(.*?)</script>', html, re.S
    )
    return set(re.findall(r'"label": "([^"]*)"', json.dumps(json.loads(props.group(1)), ensure_ascii=False)))


def _assert_indonesian(texts: set[str], labels: dict[str, str]) -> None:
    english = {label for label in labels if label in texts}
    assert not english, f"English in the Indonesian admin: {sorted(english)}"
    missing = {indonesian for indonesian in labels.values() if indonesian not in texts}
    assert not missing, f"Expected Indonesian labels not shown: {sorted(missing)}"


@pytest.fixture
def challenge_in_workflow(challenge_editor):
    client, agency, sector, _add_url = challenge_editor
    from marketplace.challenges.services.challenges import region_setup_permissions

    official = agency.officials.get()
    head = factories.UserFactory(roles=["agency_head"], is_staff=True)
    agency.heads.set([head])
    region_setup_permissions(region=agency.region, by=official)
    page = factories.challenge(agency_obj=agency, sector=sector, title="Antrean puskesmas daring")
    page.save_revision(user=official)
    page.get_workflow().start(page, official)
    return client, page


def test_the_challenge_editor_speaks_indonesian(challenge_in_workflow):
    client, page = challenge_in_workflow

    response = client.get(reverse("wagtailadmin_pages:edit", args=(page.pk,)))

    assert response.status_code == 200
    html = response.content.decode()
    assert '<html lang="id"' in html
    _assert_indonesian(_texts(html), EDITOR_LABELS)
    assert not NEVER_ENGLISH & _texts(html)
    _assert_indonesian(_menu_labels(html), MENU_LABELS)


def test_the_dashboard_and_the_workflow_report_speak_indonesian(challenge_in_workflow):
    client, page = challenge_in_workflow

    dashboard = client.get(reverse("wagtailadmin_home")).content.decode()
    _assert_indonesian(_texts(dashboard), DASHBOARD_LABELS)
    assert not NEVER_ENGLISH & _texts(dashboard)
    # The region's approval workflow, named in Indonesian where it is stored.
    assert any("Persetujuan kepala OPD — Kabupaten Sumba Barat" in text for text in _texts(dashboard))
    # The site summary counts in Indonesian ("3 halaman", not "3 Pages").
    assert not {text for text in _texts(dashboard) if re.fullmatch(r"\d+ (Pages?|Images?|Documents?)", text)}
    assert any(re.fullmatch(r"\d+ halaman", text) for text in _texts(dashboard))

    report = client.get(reverse("wagtailadmin_reports:workflow")).content.decode()
    _assert_indonesian(_texts(report), WORKFLOW_REPORT_LABELS)


def test_wagtails_default_workflow_and_the_approvers_actions_are_indonesian():
    from wagtail.models import Workflow

    assert not Workflow.objects.filter(name="Moderators approval").exists()
    assert Workflow.objects.filter(name="Persetujuan moderator").exists()
    with translation.override("id"):
        assert {english: gettext(english) for english in APPROVER_ACTIONS} == APPROVER_ACTIONS
