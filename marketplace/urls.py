"""Every page of the domain apps, in one namespace (``marketplace:``) so public addresses and
their names stay stable whichever app serves them."""

from django.urls import include, path

from marketplace.awards import urls as awards
from marketplace.challenges import urls as challenges
from marketplace.finance import urls as finance
from marketplace.organisations import urls as organisations
from marketplace.proposals import urls as proposals
from marketplace.publicdata import urls as publicdata
from marketplace.review import urls as review
from marketplace.workspace import urls as workspace

# The public pages most visits ask for. Django tries the addresses in order, one after another:
# these go first, in the order they have below, so that finding one does not cost trying the
# hundred addresses of the workspace (``organisation_create`` with them, as its "new" would
# otherwise be read as an organisation's slug).
VISITED_MOST = (
    "challenge_list",
    "challenge_detail",
    "project_list",
    "project_detail",
    "organisation_create",
    "organisation_detail",
    "search",
    "transparency",
    "transparency_journal",
    "transparency_download",
    "open_data",
)


def _visited_most_first(patterns: list) -> list:
    first = dict.fromkeys(VISITED_MOST)
    rest = []
    for pattern in patterns:
        if pattern.name in first:
            first[pattern.name] = pattern
        else:
            rest.append(pattern)
    missing = [name for name, pattern in first.items() if pattern is None]
    if missing:
        raise LookupError(f"marketplace.urls: no address named {missing}")
    return [*first.values(), *rest]


app_name = "marketplace"
urlpatterns = _visited_most_first(
    challenges.urlpatterns
    + organisations.urlpatterns
    + proposals.urlpatterns
    + review.urlpatterns
    + awards.urlpatterns
    + finance.urlpatterns
    + publicdata.urlpatterns
    + workspace.urlpatterns
) + [
    # Search's own pages (suggestions, saved searches) share this namespace: no app_name there.
    path("", include("search.urls"))
]
