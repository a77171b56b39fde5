"""Admin hooks: a region created or edited in the Wagtail admin gets its officials' group and the
agency heads' approval workflow; changing an agency's officials updates that group."""

from wagtail import hooks

from marketplace.challenges.models import Agency, RegionPage


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
