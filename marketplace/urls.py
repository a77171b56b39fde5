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

app_name = "marketplace"
urlpatterns = (
    challenges.urlpatterns
    + organisations.urlpatterns
    + proposals.urlpatterns
    + review.urlpatterns
    + awards.urlpatterns
    + finance.urlpatterns
    + publicdata.urlpatterns
    + workspace.urlpatterns
    # Search's own pages (suggestions, saved searches) share this namespace: no app_name there.
    + [path("", include("search.urls"))]
)
