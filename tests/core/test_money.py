"""Money is typed in rupiah as people write it, everywhere (the Wagtail editor included), and
stored in sen; an amount out of range says what is allowed."""

import pytest
from django.urls import reverse

from core.money import RupiahField, parse_rupiah
from marketplace.challenges.models import ChallengePage
from payments.models import Transaction
from tests import factories

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(
    "typed, sen",
    [
        ("150.000.000", 150_000_000_00),
        ("150000000", 150_000_000_00),
        ("Rp 150.000.000", 150_000_000_00),
        ("Rp150.000.000,00", 150_000_000_00),
        ("150 juta", 150_000_000_00),
        ("150 Juta", 150_000_000_00),
        ("150jt", 150_000_000_00),
        ("1,5 miliar", 1_500_000_000_00),
        ("1.500 juta", 1_500_000_000_00),
        ("250 ribu", 250_000_00),
        ("2 triliun", 2_000_000_000_000_00),
    ],
)
def test_rupiah_as_people_write_it(typed, sen):
    assert parse_rupiah(typed) == sen


@pytest.mark.parametrize("typed", ["1.5 juta", "1,2345678 juta", "150 lusin", "juta", "1.000,50", "dua juta"])
def test_what_cannot_be_read_as_whole_rupiah_is_refused(typed):
    with pytest.raises(ValueError):
        parse_rupiah(typed)


def test_the_field_shows_rupiah_and_never_drops_sen():
    field = RupiahField()
    assert field.prepare_value(150_000_000_00) == "150.000.000"
    assert field.prepare_value(123_45) == "123,45"  # shown as stored: saving unchanged keeps it
    assert not field.has_changed(150_000_000_00, "150 juta")


def test_messages_say_what_is_allowed_in_rupiah(english_messages):
    field = RupiahField()
    allowed = "Enter an amount between Rp 1 and Rp 1.000.000.000.000"
    for typed, start in [
        ("-5.000.000", "An amount cannot be negative."),
        ("Rp -1", "An amount cannot be negative."),
        ("0", "The amount must be greater than zero."),
        ("99999999999999999999999", "The amount is too large."),
    ]:
        with pytest.raises(Exception) as refused:
            field.clean(typed)
        (message,) = refused.value.messages
        assert message.startswith(start) and allowed in message, message
        assert "9223372036854775807" not in message
    assert RupiahField(allow_zero=True).clean("0") == 0


# --- The Wagtail editor -------------------------------------------------------------------------


def _grant(amount: str) -> dict:
    return {"kind": "grant", "amount": amount, "currency": "IDR", "description": "Hibah", "winners": "1"}


def _publish(client, agency, sector, add_url, **extra):
    form = factories.admin_challenge_form(
        agency_obj=agency,
        sector=sector,
        title="Antrean puskesmas",
        slug="antrean-puskesmas",
        opens="2030-01-01 08:00",
        closes="2030-01-31 23:59",
        **extra,
    )
    return client.post(add_url, form)


def _edit(client, page, **changes) -> dict:
    """What the browser sends back from the edit view, as the editor shows it, with ``changes``
    (``amount`` goes to the first incentive row)."""
    from wagtail.test.utils.form_data import inline_formset, nested_form_data

    url = reverse("wagtailadmin_pages:edit", args=(page.pk,))
    form = client.get(url).context["form"]

    def shown(bound):
        value = bound.value()
        return "" if value is None else str(value)

    rows = [
        {name: shown(f[name]) for name in ("id", "kind", "amount", "currency", "description", "winners")}
        for f in form.formsets["incentives"].forms
    ]
    criteria = [
        {name: shown(f[name]) for name in ("id", "name", "description", "weight")}
        for f in form.formsets["criteria"].forms
    ]
    if "amount" in changes:
        rows[0]["amount"] = changes.pop("amount")
    data = factories.admin_challenge_form(
        agency_obj=page.agency,
        sector=page.sector,
        title=page.title,
        slug=page.slug,
        opens=form.initial["opens_at"].strftime("%Y-%m-%d %H:%M"),
        closes=form.initial["closes_at"].strftime("%Y-%m-%d %H:%M"),
        **changes,
    )
    data.update(
        nested_form_data(
            {
                "incentives": inline_formset(rows, initial=len(rows), min=1),
                "criteria": inline_formset(criteria, initial=len(criteria), min=1),
            }
        )
    )
    return url, rows, data


def test_the_editor_takes_rupiah_and_the_published_page_shows_them(challenge_editor, client):
    client, agency, sector, add_url = challenge_editor
    response = _publish(
        client, agency, sector, add_url, incentives=[_grant("150.000.000")], max_requested_amount="75 juta"
    )
    assert response.status_code == 302
    page = ChallengePage.objects.get(slug="antrean-puskesmas")
    assert page.incentives.get().amount == 150_000_000_00  # stored in sen
    assert page.max_requested_amount == 75_000_000_00
    public = client.get(page.url).content.decode()
    assert "Rp 150.000.000" in public and "Rp 1.500.000" not in public

    # The editor shows the amounts as they were typed, in rupiah, and says so.
    url, _rows, data = _edit(client, page, amount="250 juta", max_requested_amount="1,5 miliar")
    edit_page = client.get(url).content.decode()
    assert 'value="150.000.000"' in edit_page and 'value="75.000.000"' in edit_page
    assert 'value="15000000000"' not in edit_page
    assert "ditulis 100000000" not in edit_page and "150 juta" in edit_page  # the help text

    assert client.post(url, data).status_code == 302
    page.refresh_from_db()
    assert page.incentives.get().amount == 250_000_000_00
    assert page.max_requested_amount == 1_500_000_000_00
    assert "Rp 250.000.000" in client.get(page.url).content.decode()


def test_an_unchanged_edit_keeps_every_amount(challenge_editor, client):
    client, agency, sector, add_url = challenge_editor
    _publish(client, agency, sector, add_url, incentives=[_grant("150.000.000")])
    page = ChallengePage.objects.get(slug="antrean-puskesmas")
    url, _rows, data = _edit(client, page)
    assert client.post(url, data).status_code == 302
    assert page.incentives.get().amount == 150_000_000_00


@pytest.mark.parametrize(
    "amount, message",
    [
        ("-150.000.000", "Jumlah tidak boleh negatif. Masukkan jumlah antara Rp 0 dan Rp 1.000.000.000.000."),
        ("9223372036854775807", "Jumlah terlalu besar. Masukkan jumlah antara Rp 0 dan Rp 1.000.000.000.000"),
    ],
)
def test_the_editor_refuses_huge_and_negative_amounts_saying_what_is_allowed(
    challenge_editor, client, amount, message
):
    client, agency, sector, add_url = challenge_editor
    _publish(client, agency, sector, add_url, incentives=[_grant("150.000.000")])
    page = ChallengePage.objects.get(slug="antrean-puskesmas")
    url, _rows, data = _edit(client, page, amount=amount)
    response = client.post(url, data)
    assert response.status_code == 200
    assert message in response.content.decode()
    assert "9223372036854775807" not in response.content.decode().replace(amount, "")
    assert page.incentives.get().amount == 150_000_000_00
    assert page.get_latest_revision().content["incentives"][0]["amount"] == 150_000_000_00


def test_the_editor_refuses_a_negative_maximum(challenge_editor, client):
    client, agency, sector, add_url = challenge_editor
    response = _publish(client, agency, sector, add_url, max_requested_amount="-1")
    assert response.status_code == 200
    assert "Jumlah tidak boleh negatif. Masukkan jumlah antara Rp 1 dan Rp 1.000.000.000.000." in (
        response.content.decode()
    )
    assert not ChallengePage.objects.filter(slug="antrean-puskesmas").exists()


# --- Front-end forms ----------------------------------------------------------------------------


def _allocate(client, challenge, amount: str, key: str = "k1"):
    return client.post(
        reverse("marketplace:fund_allocate", kwargs={"slug": challenge.slug}),
        {"amount": amount, "reference": "DPA-2026", "description": "APBD", "idempotency_key": key},
    )


def test_a_budget_allocation_takes_150_juta(client, finance, challenge):
    client.force_login(finance)
    assert _allocate(client, challenge, "150 juta").status_code == 302
    (allocation,) = Transaction.objects.all()
    assert max(entry.amount for entry in allocation.entries.all()) == 150_000_000_00


@pytest.mark.parametrize(
    "amount, message",
    [
        ("-150 juta", "Jumlah tidak boleh negatif. Masukkan jumlah antara Rp 1 dan Rp 1.000.000.000.000."),
        (
            "Rp 10.000.000.000.000",
            "Jumlah terlalu besar. Masukkan jumlah antara Rp 1 dan Rp 1.000.000.000.000;",
        ),
    ],
)
def test_an_allocation_out_of_range_says_what_is_allowed(client, finance, challenge, amount, message):
    client.force_login(finance)
    response = _allocate(client, challenge, amount)
    assert response.status_code == 200
    assert message in response.content.decode()
    assert not Transaction.objects.exists()


def test_a_contribution_takes_rupiah_in_words(client, challenge):
    import uuid

    from payments.models import Contribution

    client.force_login(factories.UserFactory())
    response = client.post(
        f"/challenges/{challenge.slug}/contribute/",
        {
            "amount": "2,5 juta",
            "sponsor_name": "PT Maju Bersama",
            "email": "csr@maju.co.id",
            "public": "on",
            "token": uuid.uuid4().hex,
        },
    )
    assert response.status_code == 302
    assert Contribution.objects.get().amount == 2_500_000_00
    assert "Rp 2.500.000" in client.get(response["Location"]).content.decode()


def test_the_award_form_takes_rupiah_in_words():
    from marketplace.awards.forms.awards import AwardForm, MilestoneFormSet

    award = AwardForm({"amount": "150 juta", "conditions": ""})
    milestones = MilestoneFormSet(
        {
            "form-TOTAL_FORMS": "2",
            "form-INITIAL_FORMS": "0",
            "form-0-title": "Uji coba",
            "form-0-amount": "100.000.000",
            "form-0-due_date": "2030-06-30",
            "form-1-title": "Perluasan",
            "form-1-amount": "-50 juta",
            "form-1-due_date": "2030-12-31",
        }
    )
    assert award.is_valid() and award.cleaned_data["amount"] == 150_000_000_00
    assert not milestones.is_valid()
    assert milestones.forms[0].cleaned_data["amount"] == 100_000_000_00
    assert milestones.errors[1]["amount"] == [
        "Jumlah tidak boleh negatif. Masukkan jumlah antara Rp 1 dan Rp 1.000.000.000.000."
    ]


def test_the_editors_money_fields_are_rupiah_fields():
    from marketplace.challenges.models import Incentive

    maximum = ChallengePage._meta.get_field("max_requested_amount").formfield()
    offer_value = Incentive._meta.get_field("amount").formfield()
    assert isinstance(maximum, RupiahField) and isinstance(offer_value, RupiahField)
    assert (maximum.required, maximum.allow_zero) == (False, False)
    assert offer_value.allow_zero  # an in-kind offer's value may be unknown: 0


def test_revisions_compare_amounts_in_rupiah():
    from marketplace.challenges.models import Incentive
    from marketplace.challenges.wagtail_hooks import MoneyComparison

    field = Incentive._meta.get_field("amount")
    before = Incentive(kind="grant", amount=150_000_000_00)
    after = Incentive(kind="grant", amount=250_000_000_00)
    html = MoneyComparison(field, before, after).htmldiff()
    assert "Rp 150.000.000" in html and "Rp 250.000.000" in html and "15000000000" not in html
