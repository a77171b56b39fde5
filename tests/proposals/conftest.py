"""The proposals modules' shared cast, built once per module (tests/support/module_data.py):
what tests/conftest.py's ``official``, ``region``, ``challenge`` and ``owner`` build (``Cast``,
tests/proposals/cast.py), and what else the module's own ``build_scene()`` adds; each test gets
its own copy."""

from __future__ import annotations

import pytest
from django.utils import translation

from tests.support.module_data import own_copy, rolled_back_after_module


@pytest.fixture(scope="module")
def _scene_built(request, django_db_setup, django_db_blocker):
    """The module's ``build_scene()``, once; rolled back after the module's last test."""
    with rolled_back_after_module(django_db_blocker):
        with translation.override("en"):  # as each test built it, under english_messages
            scene = request.module.build_scene()
        yield scene


@pytest.fixture
def scene(_scene_built, db):
    return own_copy(_scene_built)


@pytest.fixture
def official(scene):
    return scene.official


@pytest.fixture
def region(scene):
    return scene.region


@pytest.fixture
def challenge(scene):
    return scene.challenge


@pytest.fixture
def owner(scene):
    return scene.owner
