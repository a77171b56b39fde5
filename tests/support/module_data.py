"""Data built once for a test module, as Django's ``setUpTestData`` does for a TestCase."""

from __future__ import annotations

import contextlib
import copy
import shutil
from pathlib import Path

from django.db import transaction
from django.test import override_settings

# What each test starts from (tests/conftest.py `_offline_by_default`, `cheap_passwords`),
# applied while the module's data is built too.
OFFLINE = {
    "ELASTICSEARCH_URL": "",
    "STRIPE_SECRET_KEY": "",
    "STRIPE_WEBHOOK_SECRET": "",
    "STRIPE_API_BASE": "",
    "PASSWORD_HASHERS": ["django.contrib.auth.hashers.MD5PasswordHasher"],
}


@contextlib.contextmanager
def rolled_back_after_module(django_db_blocker, **settings):
    """Inside a transaction that is rolled back after the module's last test: what is built
    in the block is there for each test, which runs in a savepoint of that transaction, so
    what one test changes is undone before the next starts from the same data. ``settings``
    (besides ``OFFLINE``) are overridden from the build to the module's end, beneath each
    test's own ``settings``.

    In a module-scoped fixture (which must also ask for ``django_db_setup``)::

        with rolled_back_after_module(django_db_blocker):
            yield build_scene()

    and, for the tests, a function-scoped fixture that hands each test ``own_copy`` of it. In a
    class-scoped fixture the same holds for the class's tests (tests/challenges/test_challenge_list.py):
    the data is gone before the module's other tests, which count whole lists.
    """
    with django_db_blocker.unblock(), override_settings(**{**OFFLINE, **settings}), transaction.atomic():
        yield
        transaction.set_rollback(True)


def own_copy(built):
    """A test's own copy of what was built once for the module, as ``setUpTestData`` gives each
    TestCase test: the rows are shared (each test's changes are rolled back), the Python objects
    are not, so what one test changes on an instance (a field, a cached relation) never reaches
    the next test."""
    return copy.deepcopy(built)


MEDIA_SETTINGS = ("MEDIA_ROOT", "PRIVATE_MEDIA_ROOT")


def media_folders(folder: Path) -> dict[str, Path]:
    """Settings for ``rolled_back_after_module`` that write the files made while building (uploads,
    private files) under ``folder``, for ``own_copy_with_files`` to hand each test."""
    return {name: folder / name for name in MEDIA_SETTINGS}


def own_copy_with_files(built, media: dict[str, Path], settings):
    """``own_copy``, with the files written while building copied into the test's own folders
    (the ``private_media`` fixture's), as if the test had built it."""
    for name, folder in media.items():
        if folder.exists():
            shutil.copytree(folder, getattr(settings, name), dirs_exist_ok=True)
    return own_copy(built)
