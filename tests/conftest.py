"""Shared fixtures: the real services (PostgreSQL and Redis already run; the Elasticsearch
test server and the Stripe emulator are started once per session, when first needed)."""

from __future__ import annotations

import uuid

import pytest
from django.conf import settings as django_settings
from django.contrib.auth import hashers
from django.core.signals import request_finished
from django.db import connections, transaction
from django.utils import translation
from pytest_django.plugin import blocking_manager_key

from config.celery import app as celery_app
from tests.support import transactional
from tests.support.elasticsearch_server import running_elasticsearch
from tests.support.stripe_emulator import running_stripe_emulator

STRIPE_TEST_KEY = "sk_test_marketplace"
STRIPE_WEBHOOK_SECRET = "whsec_test_marketplace"
CHEAP_PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


def pytest_sessionstart(session):
    if not session.config.pluginmanager.hasplugin("django"):
        return  # a run of the Django-free modules alone (-p no:django)
    vendor = django_settings.DATABASES["default"]["ENGINE"]
    if "postgresql" not in vendor:
        raise pytest.UsageError("The suite runs on PostgreSQL: run it with `make test` (DATABASE_URL).")
    # Production's hasher spends about 0.25 s of CPU on every password set or checked, by design;
    # every user a test makes sets one. What the tests check is who may do what, not the hasher.
    django_settings.PASSWORD_HASHERS = CHEAP_PASSWORD_HASHERS
    hashers.get_hashers.cache_clear()
    hashers.get_hashers_by_algorithm.cache_clear()
    transactional.use_plain_sql()  # when a transactional test ends (tests/support/transactional.py)


@pytest.fixture(scope="session")
def django_db_setup(request, django_test_environment, django_db_blocker, django_db_modify_db_settings):
    """pytest-django's set-up, on a copy of the migrated template (tests/support/migrated_template.py)
    instead of migrating an empty database in every worker on every run."""
    from django.db import connection
    from django.test.utils import setup_databases, teardown_databases

    from tests.support.migrated_template import copy_migrated_database

    with django_db_blocker.unblock():
        copy_migrated_database(connection.creation._get_test_db_name())
        databases = setup_databases(verbosity=request.config.option.verbose, interactive=False, keepdb=True)
        for each in connections.all():
            transactional.keep_migrated_data(each)
    yield
    with django_db_blocker.unblock():
        _end_other_sessions()
        try:
            teardown_databases(databases, verbosity=request.config.option.verbose)
        except Exception as error:  # a request a test left running still holds a connection
            warning = f"Error when trying to teardown test databases: {error!r}"
            request.node.warn(pytest.PytestWarning(warning))


def _end_other_sessions() -> None:
    """Other threads of this worker may still hold a session on its test database when the run
    ends, and PostgreSQL will not drop a database in use: with persistent connections
    (``CONN_MAX_AGE``) a thread's connection stays open until the thread closes it or its
    wrapper is collected (one seen: opened during a browser journey against the live server,
    idle to the end of the run). The server ends them first."""
    for each in connections.all():
        with each.cursor() as cursor:
            cursor.execute(
                "SELECT pg_terminate_backend(pid) FROM pg_stat_activity "
                "WHERE datname = current_database() AND pid <> pg_backend_pid()"
            )


def pytest_collection_modifyitems(items):
    """schemathesis makes one item per API operation, named ``test[GET /api/v1/…]``; on pytest 9
    their node ids all come out as the bare ``test`` (pytest builds the id from the original name
    and a callspec schemathesis does not give), and pytest-xdist would run only one of them.
    Each gets the id its name says (tests/publicdata/test_api_schemathesis.py).

    Then the files are put in the order the workers take them (``make test`` passes
    ``--no-loadscope-reorder``): the files marked ``long`` first, the rest by their number of
    tests, as pytest-xdist would order them. Left to the end, one long file keeps one worker
    busy for a minute while the other has nothing left to do."""
    for item in items:
        label = getattr(item, "operation_label", None)
        lost = label and item.name == f"{item.originalname}[{label}]" and item.id.params is None
        if lost:
            item._id = item.parent.id.child(item.originalname).with_params(label)
    items[:] = _long_files_first(items)


def _long_files_first(items):
    by_file: dict[str, list] = {}
    for item in items:
        by_file.setdefault(item.nodeid.split("::")[0], []).append(item)

    def order(tests) -> tuple[bool, int]:
        return tests[0].get_closest_marker("long") is None, -len(tests)

    return [item for tests in sorted(by_file.values(), key=order) for item in tests]


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_teardown(item, nextitem):
    """A transactional test empties every table when it ends, the data the migrations wrote
    included (groups, the Wagtail tree). pytest-django runs such tests last in one process;
    with parallel workers (tests/support/parallel.py) other tests follow them, so the
    migrated data is put back for them, as ``serialized_rollback`` does before a test."""
    yield
    if nextitem is not None and _empties_the_database(item):
        with item.config.stash[blocking_manager_key].unblock():
            for connection in connections.all():
                contents = getattr(connection, "_test_serialized_contents", None)
                if contents:
                    _restore_migrated_data(connection, contents)


def _restore_migrated_data(connection, contents: str) -> None:
    """Put the migrated data back. If a request the test left running (a browser tab of a
    journey that failed) wrote after the test's flush, those rows clash with it: empty the
    tables again and retry, so one failing test does not take the next ones down with it."""
    from django.core.management import call_command
    from django.db import IntegrityError

    try:
        with transaction.atomic(using=connection.alias):
            connection.creation.deserialize_db_from_string(contents)
    except IntegrityError:
        call_command(
            "flush", database=connection.alias, interactive=False, verbosity=0, inhibit_post_migrate=True
        )
        connection.creation.deserialize_db_from_string(contents)


def _empties_the_database(item) -> bool:
    marker = item.get_closest_marker("django_db")
    asks_for_transactions = bool(marker and (marker.kwargs.get("transaction") or marker.args[:1] == (True,)))
    return asks_for_transactions or bool({"transactional_db", "live_server"} & set(item.fixturenames))


@pytest.fixture(scope="session", autouse=True)
def _celery_eager_by_default():
    """Tasks run in-process unless a test starts a real worker (tests/test_celery_worker.py)."""
    celery_app.conf.task_always_eager = True
    celery_app.conf.task_eager_propagates = True
    yield


@pytest.fixture(autouse=True)
def _no_worker_left_behind():
    """A test that started a real worker in this process (celery's start_worker) leaves celery
    believing it runs inside a task, which forbids ``.get()`` on a result in later tests."""
    from celery._state import _set_task_join_will_block

    _set_task_join_will_block(False)
    yield


@pytest.fixture(autouse=True)
def _offline_by_default(settings):
    """Each test starts on the embedded default (database search, manual rail); tests that
    need Elasticsearch or Stripe ask for the fixtures below."""
    settings.ELASTICSEARCH_URL = ""
    settings.STRIPE_SECRET_KEY = ""
    settings.STRIPE_WEBHOOK_SECRET = ""
    settings.STRIPE_API_BASE = ""


@pytest.fixture(autouse=True)
def _staff_mfa_not_enforced(settings):
    """The suite signs staff in with force_login/client.login, which skip allauth's second
    factor, so the MFA requirement is off here; tests/security/test_mfa.py turns it on (as
    production has it) and proves it through the real sign-in and TOTP codes. Fixtures do not
    pretend staff enrolled: an enrolled user signed in without the code step would prove less."""
    settings.STAFF_MFA_REQUIRED = False


@pytest.fixture(autouse=True)
def _site_language(request):
    """Each test starts in the site's language. A test client request leaves the language of
    the page it asked for active (LocaleMiddleware), so a file whose last request was an English
    page would otherwise hand English to the next file in the same worker."""
    if not request.config.pluginmanager.hasplugin("django"):
        yield  # a run of the Django-free modules alone (-p no:django)
        return
    translation.activate(django_settings.LANGUAGE_CODE)
    yield
    translation.deactivate()


@pytest.fixture
def english_messages():
    """For tests that read a rule's message; pages are read in Indonesian at the HTTP edge.
    A test client request leaves its own language active (LocaleMiddleware), so English is
    put back after each request."""

    def back_to_english(**kwargs):
        translation.activate("en")

    request_finished.connect(back_to_english, dispatch_uid="tests-english-messages")
    try:
        with translation.override("en"):
            yield
    finally:
        request_finished.disconnect(dispatch_uid="tests-english-messages")


# People and places shared by the modules; the builders are in tests/factories.py (imported
# inside the fixtures: this module is also loaded for runs without Django, -p no:django).


@pytest.fixture
def official():
    """A user with the official role (of no agency until a fixture or test makes them one)."""
    from tests import factories

    return factories.UserFactory(roles=["official"])


@pytest.fixture
def finance():
    from tests import factories

    return factories.UserFactory(roles=["finance"])


@pytest.fixture
def sponsor():
    from tests import factories

    return factories.UserFactory(roles=["sponsor"])


@pytest.fixture
def owner():
    """A signed-up user without a role: the applicant, once they own an organisation."""
    from tests import factories

    return factories.UserFactory()


@pytest.fixture
def region():
    from tests import factories

    return factories.region()


@pytest.fixture
def challenge(official, region):
    """A published, open challenge of an agency in ``region`` that ``official`` runs."""
    from tests import factories

    return factories.challenge(region_page=region, officials=[official])


@pytest.fixture
def private_media(settings, tmp_path):
    """Uploads (MEDIA_ROOT) and private files such as attachments and transfer proofs
    (PRIVATE_MEDIA_ROOT, returned) are written under this test's own folder."""
    settings.MEDIA_ROOT = tmp_path / "media"
    settings.PRIVATE_MEDIA_ROOT = tmp_path / "private"
    return settings.PRIVATE_MEDIA_ROOT


@pytest.fixture
def cheap_passwords(settings):
    """Hash passwords cheaply (the whole session does since pytest_sessionstart; kept for the
    tests that say so)."""
    settings.PASSWORD_HASHERS = CHEAP_PASSWORD_HASHERS


@pytest.fixture
def stripe_outage_forgotten():
    """No Stripe outage remembered from an earlier test (the contribution pages read it)."""
    from django.core.cache import cache

    from payments import contribution_services

    cache.delete(contribution_services.STRIPE_DOWN_CACHE_KEY)
    yield
    cache.delete(contribution_services.STRIPE_DOWN_CACHE_KEY)


@pytest.fixture(scope="session")
def elasticsearch_url():
    with running_elasticsearch() as url:
        yield url


@pytest.fixture
def elasticsearch(settings, elasticsearch_url):
    """Elasticsearch configured, with indices of this test's own."""
    settings.ELASTICSEARCH_URL = elasticsearch_url
    settings.SEARCH_INDEX_PREFIX = f"test-{uuid.uuid4().hex[:10]}"
    settings.SEARCH_INDEX_REFRESH = "true"  # searchable at once, not at the next second
    yield elasticsearch_url
    from search.api import es_client

    client = es_client()
    # Elasticsearch 8 refuses wildcard deletes (action.destructive_requires_name): name each index.
    for name in client.indices.get(index=f"{settings.SEARCH_INDEX_PREFIX}-*"):
        client.indices.delete(index=name, ignore_unavailable=True)


@pytest.fixture(scope="session")
def stripe_emulator_url():
    with running_stripe_emulator() as url:
        yield url


@pytest.fixture
def stripe_emulator(settings, stripe_emulator_url):
    settings.STRIPE_SECRET_KEY = STRIPE_TEST_KEY
    settings.STRIPE_WEBHOOK_SECRET = STRIPE_WEBHOOK_SECRET
    settings.STRIPE_API_BASE = stripe_emulator_url
    return stripe_emulator_url


@pytest.fixture
def challenge_editor(client):
    """An official signed in to the Wagtail admin who may add, change and publish challenges in
    a WITA region (UTC+8): the client, their agency, a sector and the address of the add form."""
    from django.contrib.auth.models import Group, Permission
    from django.urls import reverse
    from wagtail.models import GroupPagePermission

    from marketplace.challenges.models import ChallengeIndexPage
    from tests import factories

    region = factories.region("Kabupaten Sumba Barat", timezone_name="Asia/Makassar")
    official = factories.UserFactory(roles=["official"], is_staff=True)
    for codename in ("add_page", "change_page", "publish_page"):
        GroupPagePermission.objects.create(
            group=Group.objects.get(name="official"),
            page=region,
            permission=Permission.objects.get(codename=codename),
        )
    client.force_login(official)
    agency = factories.agency(region, officials=[official])
    index = region.get_children().type(ChallengeIndexPage).first()
    add_url = reverse("wagtailadmin_pages:add", args=("challenges", "challengepage", index.pk))
    return client, agency, factories.SectorFactory(), add_url
