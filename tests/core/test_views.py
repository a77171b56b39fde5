"""The two helpers behind every form page and one-button POST: what the person sees after
pressing the button (where they land, the message shown, the error on the form)."""

import pytest
from django import forms
from django.contrib.messages import get_messages
from django.contrib.messages.middleware import MessageMiddleware
from django.contrib.sessions.middleware import SessionMiddleware
from django.test import RequestFactory

from core.errors import DomainError
from core.views import form_action, post_action


class NameForm(forms.Form):
    name = forms.CharField(max_length=20)


class OtherRefusal(Exception):
    """A refusal of another layer (as payments' PaymentError): a message, no field."""

    def __init__(self, message):
        super().__init__(message)
        self.message = message


def _request(method="get", data=None):
    request = getattr(RequestFactory(), method)("/somewhere/", data or {})
    SessionMiddleware(lambda r: None).process_request(request)
    MessageMiddleware(lambda r: None).process_request(request)
    return request


def _shown(request) -> list[tuple[str, str]]:
    return [(m.level_tag, str(m)) for m in get_messages(request)]


def _refuse(error):
    def action(*args):
        raise error

    return action


# form_action -----------------------------------------------------------------------------


def test_a_get_shows_the_form_and_runs_nothing():
    request = _request()
    form = NameForm(request.POST or None)
    calls = []

    response = form_action(request, form, calls.append, success="Saved.", redirect_to="/done/")

    assert response is None
    assert calls == []
    assert not form.is_bound
    assert _shown(request) == []


def test_a_valid_post_runs_the_action_with_the_fields_then_says_so_and_redirects():
    request = _request("post", {"name": "Dinas Kesehatan"})
    form = NameForm(request.POST)
    received = []

    def create(data):
        received.append(dict(data))
        return {"id": 7, "name": data["name"]}

    response = form_action(
        request,
        form,
        create,
        success=lambda made: f"{made['name']} saved.",
        redirect_to=lambda made: f"/things/{made['id']}/",
    )

    assert received == [{"name": "Dinas Kesehatan"}]
    assert response.status_code == 302
    assert response["Location"] == "/things/7/"
    assert _shown(request) == [("success", "Dinas Kesehatan saved.")]


def test_an_invalid_post_runs_nothing_and_leaves_the_form_with_its_errors():
    request = _request("post", {"name": ""})
    form = NameForm(request.POST)
    calls = []

    response = form_action(request, form, calls.append, success="Saved.", redirect_to="/done/")

    assert response is None
    assert calls == []
    assert "name" in form.errors
    assert _shown(request) == []


def test_a_refusal_about_a_field_is_shown_next_to_that_field():
    request = _request("post", {"name": "Dinas"})
    form = NameForm(request.POST)

    response = form_action(
        request,
        form,
        _refuse(DomainError("That name is taken.", field="name")),
        success="Saved.",
        redirect_to="/done/",
    )

    assert response is None
    assert form.errors["name"] == ["That name is taken."]
    assert _shown(request) == []


@pytest.mark.parametrize(
    "error",
    [DomainError("The deadline has passed."), DomainError("Wrong.", field="not_on_this_form")],
)
def test_a_refusal_about_no_field_of_the_form_is_shown_above_the_form(error):
    request = _request("post", {"name": "Dinas"})
    form = NameForm(request.POST)

    form_action(request, form, _refuse(error), success="Saved.", redirect_to="/done/")

    assert form.non_field_errors() == [error.message]
    assert "name" not in form.errors


def test_another_layers_refusal_is_caught_only_when_named():
    request = _request("post", {"name": "Dinas"})
    form = NameForm(request.POST)

    response = form_action(
        request,
        form,
        _refuse(OtherRefusal("The card payment failed.")),
        success="Saved.",
        redirect_to="/done/",
        refusals=(OtherRefusal,),
    )

    assert response is None
    assert form.non_field_errors() == ["The card payment failed."]
    with pytest.raises(OtherRefusal):
        form_action(
            _request("post", {"name": "Dinas"}),
            NameForm({"name": "Dinas"}),
            _refuse(OtherRefusal("not a domain refusal")),
            success="Saved.",
            redirect_to="/done/",
        )


# post_action -----------------------------------------------------------------------------


def test_a_one_button_post_that_succeeds_says_so_and_redirects():
    request = _request("post")

    response = post_action(
        request,
        lambda: "Yayasan Sehat",
        success=lambda name: f"{name} is verified.",
        redirect_to="/organisations/yayasan/verification/",
        refused_redirect_to="/elsewhere/",
    )

    assert response.status_code == 302
    assert response["Location"] == "/organisations/yayasan/verification/"
    assert _shown(request) == [("success", "Yayasan Sehat is verified.")]


def test_a_refused_one_button_post_shows_why_and_goes_back_to_the_same_page():
    request = _request("post")

    response = post_action(
        request, _refuse(DomainError("Already verified.")), success="Verified.", redirect_to="/page/"
    )

    assert response["Location"] == "/page/"
    assert _shown(request) == [("error", "Already verified.")]


def test_a_refused_one_button_post_may_go_elsewhere_than_a_successful_one():
    request = _request("post")

    response = post_action(
        request,
        _refuse(OtherRefusal("The transfer failed.")),
        success="Sent.",
        redirect_to="/list/",
        refused_redirect_to="/payment/3/",
        refusals=(OtherRefusal,),
    )

    assert response["Location"] == "/payment/3/"
    assert _shown(request) == [("error", "The transfer failed.")]


def test_an_unexpected_error_is_not_turned_into_a_message():
    request = _request("post")

    with pytest.raises(ZeroDivisionError):
        post_action(request, lambda: 1 / 0, success="Done.", redirect_to="/page/")
    assert _shown(request) == []
