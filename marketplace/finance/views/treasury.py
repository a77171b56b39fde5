"""The finance officers' page for their region's treasury account (RKUD), which the pledge page
shows to sponsors."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.shortcuts import get_object_or_404, render
from django.utils.translation import gettext as _

from core.roles import is_finance
from core.views import deny_unless, form_action
from marketplace.challenges.models import RegionPage
from marketplace.finance import permissions, services
from marketplace.finance.forms.treasury import TreasuryAccountForm
from marketplace.finance.models import TreasuryAccount


@login_required
def treasury_accounts(request):
    deny_unless(
        (is_finance(request.user), _("Only a finance officer may enter the regional treasury account."))
    )
    regions = list(
        RegionPage.objects.filter(pk__in=permissions.finance_regions(request.user)).order_by("title")
    )
    accounts = {a.region_id: a for a in TreasuryAccount.objects.filter(region__in=regions)}
    for region in regions:
        region.account = accounts.get(region.pk)
    return render(request, "finance/treasury/account_list.html", {"regions": regions})


@login_required
def treasury_account_edit(request, region_id):
    region = get_object_or_404(RegionPage, pk=region_id)
    deny_unless(permissions.can_edit_treasury_account(request.user, region))
    account = TreasuryAccount.objects.filter(region=region).first()
    initial = (
        {
            "bank_name": account.bank_name,
            "account_number": account.account_number,
            "account_holder": account.account_holder,
        }
        if account
        else {}
    )
    form = TreasuryAccountForm(request.POST or None, initial=initial)
    response = form_action(
        request,
        form,
        lambda data: services.treasury_account_save(region=region, by=request.user, **data),
        success=_("The treasury account of %(region)s is saved. Sponsors see it on their pledge pages.")
        % {"region": region.title},
        redirect_to="marketplace:treasury_accounts",
    )
    return response or render(
        request, "finance/treasury/account_form.html", {"region": region, "account": account, "form": form}
    )
