"""Pages that several areas contribute to (the challenge page, the workspace) ask each area for
its part of the context here, so an area adds a section without editing the page's view.

An area registers ``fn(request, obj) -> dict`` with a decorator in its own views module, and
renders its part in its own include (see the templates' ``includes/`` folder)."""

from __future__ import annotations

from collections.abc import Callable

ChallengeSection = Callable[..., dict]
CHALLENGE_SECTIONS: list[ChallengeSection] = []
WORKSPACE_SECTIONS: list[Callable[..., dict]] = []


def challenge_section(fn: ChallengeSection) -> ChallengeSection:
    CHALLENGE_SECTIONS.append(fn)
    return fn


def workspace_section(fn):
    WORKSPACE_SECTIONS.append(fn)
    return fn


def challenge_context(request, challenge) -> dict:
    context: dict = {}
    for fn in CHALLENGE_SECTIONS:
        context.update(fn(request, challenge))
    return context


def workspace_context(request) -> dict:
    context: dict = {}
    for fn in WORKSPACE_SECTIONS:
        context.update(fn(request))
    return context
