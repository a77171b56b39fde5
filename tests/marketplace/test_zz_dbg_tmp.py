import pytest
from django.contrib.auth.models import Group
from tests.marketplace.test_permissions import *  # noqa
from tests.marketplace.test_permissions import scene  # noqa

pytestmark = pytest.mark.django_db

def test_dbg(client, scene):
    official = scene.users[OFFICIAL]
    official.groups.add(Group.objects.get(name="finance"))
    sign_in(client, scene, OFFICIAL)
    r = client.post(ACTIONS["disbursement_release"].url(scene), {"bank_reference": "SP2D-0042"})
    print(r.context["form"].errors)
    import re
    print(re.sub(r"\s+", " ", r.text)[-3000:])
