"""Every long text people write states its limit and is never cut: the reviewer's comments, the
grantee's reports, the reasons officials and finance officers give (core.text_limits)."""

from __future__ import annotations

from dataclasses import dataclass

import pytest
from django.utils import translation

from marketplace.awards.forms.determinations import AgreementDeclineForm, RevisionForm
from marketplace.finance.forms.payouts import CancelForm
from marketplace.review.forms.scoring import ReviewForm


@dataclass
class Criterion:
    """What the review form reads of a criterion: its id and name."""

    pk: int
    name: str


def review_form(data=None) -> ReviewForm:
    return ReviewForm(data, criteria=[Criterion(7, "Dampak")], score_min=1, score_max=5)


@pytest.fixture(autouse=True)
def indonesian():
    with translation.override("id"):
        yield


def test_fields_the_review_form_adds_itself_state_their_limit_and_count():
    comment = review_form().fields["comment_7"]
    assert "maxlength" not in comment.widget.attrs  # a browser would cut a paste silently
    limit = comment.widget.attrs["data-maxlength"]
    assert f"{limit:,}".replace(",", ".") in comment.help_text
    assert "karakter" in comment.widget.attrs["data-counter"]


def test_a_review_comment_over_the_limit_is_refused_whole_with_how_much_to_cut():
    limit = review_form().fields["comment_7"].max_length
    text = "x" * (limit + 5)
    form = review_form({"comment_7": text, "recommendation": ""})
    assert not form.is_valid()
    message = form.errors["comment_7"][0]
    assert "5" in message and "tidak ada yang dipotong" in message
    assert form["comment_7"].value() == text  # kept as typed


@pytest.mark.parametrize(
    ("form_class", "field"),
    [(AgreementDeclineForm, "reason"), (RevisionForm, "reason"), (CancelForm, "reason")],
)
def test_reasons_state_their_limit_once(form_class, field):
    form = form_class()
    widget = form.fields[field].widget
    assert widget.attrs["data-maxlength"] == form.fields[field].max_length
    assert form.fields[field].help_text.count("Paling banyak") == 1


def test_the_counter_script_comes_only_with_a_form_that_has_a_limited_text():
    from django import forms
    from django.template import Context, Template

    class Plain(forms.Form):
        name = forms.CharField(max_length=20)

    template = Template("{% load text_limits %}{% text_counter_script form %}")
    assert "text-counter.js" in template.render(Context({"form": review_form()}))
    assert template.render(Context({"form": Plain()})) == ""
