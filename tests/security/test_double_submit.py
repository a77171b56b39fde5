"""One contribution per contribution form, however it is sent twice.

The probe sent the same contribution form (same one-time token) twice at once and got two
contributions: the token was remembered in the session only after the first one was saved."""

from __future__ import annotations

import threading
import uuid

import pytest
from django.db import connection
from django.test import Client

from payments.models import Contribution
from tests import factories
from tests.factories import UserFactory


def _form(token: str) -> dict:
    return {
        "amount": "2.500.000",
        "sponsor_name": "PT Maju Bersama",
        "email": "csr@maju.co.id",
        "token": token,
    }


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_the_same_form_sent_twice_at_once_makes_one_contribution():
    challenge = factories.challenge()
    sponsor = UserFactory()
    url = f"/challenges/{challenge.slug}/contribute/"
    first = Client()
    first.force_login(sponsor)
    second = Client()
    second.cookies = first.cookies  # the same browser session: a double click
    data = _form(uuid.uuid4().hex)
    start = threading.Barrier(2)
    answers: list[int] = []

    def submit(client: Client) -> None:
        try:
            start.wait()
            answers.append(client.post(url, data).status_code)
        finally:
            connection.close()

    threads = [threading.Thread(target=submit, args=(client,)) for client in (first, second)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    assert answers == [302, 302]
    assert Contribution.objects.filter(sponsor=sponsor).count() == 1


@pytest.mark.django_db
def test_the_same_form_sent_again_from_another_session_finds_the_first_contribution():
    challenge = factories.challenge()
    sponsor = UserFactory()
    url = f"/challenges/{challenge.slug}/contribute/"
    data = _form(uuid.uuid4().hex)
    locations = []
    for _attempt in range(2):  # e.g. resent after signing in again on a flaky connection
        client = Client()
        client.force_login(sponsor)
        locations.append(client.post(url, data)["Location"])

    contribution = Contribution.objects.get(sponsor=sponsor)
    assert locations == [f"/workspace/contributions/{contribution.pk}/"] * 2
    # A new form (a new token) is a new contribution.
    client.post(url, _form(uuid.uuid4().hex))
    assert Contribution.objects.filter(sponsor=sponsor).count() == 2
