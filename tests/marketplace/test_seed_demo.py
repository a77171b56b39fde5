"""The demo data: loads on PostgreSQL, shows the features, and a second run changes nothing."""

import pytest
from django.contrib.auth import get_user_model
from django.core.management import CommandError, call_command

from marketplace.models import Award, ChallengePage, Organisation, Proposal, Question
from payments.models import Entry, Transaction

pytestmark = pytest.mark.django_db


def _counts():
    models = [get_user_model(), ChallengePage, Organisation, Proposal, Award, Question, Transaction, Entry]
    return {model.__name__: model.objects.count() for model in models}


def test_seed_demo_is_idempotent_and_shows_the_features(client, settings):
    call_command("seed_demo", force=True)
    first = _counts()
    call_command("seed_demo", force=True)
    assert _counts() == first
    assert first["ChallengePage"] == 12 and first["Award"] >= 2

    statuses = set(Proposal.objects.values_list("status", flat=True))
    assert {"draft", "submitted", "withdrawn", "rejected", "awarded"} <= statuses
    page = client.get("/challenges/antrean-puskesmas-daring/")
    assert "gateway SMS" in page.text  # an answered public question
    assert "applicant2" not in page.text  # never who asked
    assert "Pasar Pintar" in client.get("/challenges/retribusi-pasar-nontunai/").text  # partner listing
    signed_in = client.post("/accounts/login/", {"login": "finance", "password": settings.DEMO_PASSWORD})
    assert signed_in.status_code == 302


def test_seed_demo_refuses_without_debug_unless_forced(settings):
    settings.DEBUG = False
    with pytest.raises(CommandError, match="DEBUG is off"):
        call_command("seed_demo")
    assert not ChallengePage.objects.exists()
