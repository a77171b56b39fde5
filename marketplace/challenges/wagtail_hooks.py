"""Admin hooks: a region created or edited in the Wagtail admin gets its officials' group and the
agency heads' approval workflow; changing an agency's officials updates that group. Revisions
compare amounts in rupiah, as the editor shows them."""

from wagtail import hooks
from wagtail.admin.compare import FieldComparison, register_comparison_class

from core.money import MoneyField, format_money
from marketplace.challenges.models import Agency, RegionPage


class MoneyComparison(FieldComparison):
    """Two revisions' amounts as "Rp 150.000.000", never as the stored sen."""

    def __init__(self, field, obj_a, obj_b):
        super().__init__(field, obj_a, obj_b)
        self.val_a = None if self.val_a is None else format_money(self.val_a)
        self.val_b = None if self.val_b is None else format_money(self.val_b)


register_comparison_class(MoneyField, comparison_class=MoneyComparison)


def _setup(request, region) -> None:
    from marketplace.challenges.services.challenges import region_setup_permissions

    region_setup_permissions(region=region, by=request.user)


@hooks.register("after_create_page")
@hooks.register("after_edit_page")
def region_page_saved(request, page):
    if isinstance(page.specific, RegionPage):
        _setup(request, page)


@hooks.register("after_create_snippet")
@hooks.register("after_edit_snippet")
def agency_saved(request, instance):
    if isinstance(instance, Agency):
        _setup(request, instance.region)
