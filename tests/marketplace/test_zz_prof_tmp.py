import cProfile, pstats, time
import pytest
from tests.marketplace import test_permissions as tp

pytestmark = pytest.mark.django_db


def test_prof(settings):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    pr = cProfile.Profile()
    pr.enable()
    t = time.time()
    tp.scene._get_wrapped_function()()
    print("scene", time.time() - t)
    pr.disable()
    pstats.Stats(pr).sort_stats("cumulative").print_stats(40)
