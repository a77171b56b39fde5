"""Every page of the domain apps, in one namespace (``marketplace:``) so public addresses and
their names stay stable whichever app serves them."""

from marketplace.awards import urls as awards
from marketplace.challenges import urls as challenges
from marketplace.finance import urls as finance
from marketplace.organisations import urls as organisations
from marketplace.proposals import urls as proposals
from marketplace.publicdata import urls as publicdata
from marketplace.review import urls as review
from marketplace.workspace import urls as workspace
from search import urls as search

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
    + search.urlpatterns
)
