"""The compiled release of a record, by the OCDS 1.1 merge rules.

Releases are taken oldest first (a stable sort on ``date``); ``id``, ``date`` and ``tag`` are not
merged; objects merge field by field; an array of objects merges its items by ``id``; any other
array, and the arrays the schema marks ``wholeListMerge``, is replaced whole. The compiled release
is tagged ``compiled`` and named ``<ocid>-<date of the last release>``. The tests check the result
against the reference implementation (``ocdsmerge``)."""

from __future__ import annotations

import copy
from typing import Any

OMIT = {"id", "date", "tag"}
WHOLE_LIST = {"additionalIdentifiers", "additionalClassifications"}


def compile_releases(releases: list[dict[str, Any]]) -> dict[str, Any]:
    ordered = sorted(releases, key=lambda release: release["date"])
    compiled: dict[str, Any] = {"tag": ["compiled"]}
    for release in ordered:
        compiled["id"] = f"{release['ocid']}-{release['date']}"
        compiled["date"] = release["date"]
        compiled["ocid"] = release["ocid"]
        _merge(compiled, {key: item for key, item in release.items() if key not in OMIT})
    return compiled


def _merge(target: dict[str, Any], source: dict[str, Any]) -> None:
    for key, item in source.items():
        if isinstance(item, dict):
            current = target.get(key)
            if not isinstance(current, dict):
                current = target[key] = {}
            _merge(current, item)
        elif _merge_by_id(key, item):
            current = target.get(key)
            if not isinstance(current, list):
                current = target[key] = []
            by_id = {entry.get("id"): entry for entry in current}
            for entry in item:
                if entry["id"] in by_id:
                    _merge(by_id[entry["id"]], entry)
                else:
                    fresh: dict[str, Any] = {}
                    _merge(fresh, entry)
                    current.append(fresh)
                    by_id[entry["id"]] = fresh
        else:
            target[key] = copy.deepcopy(item)


def _merge_by_id(key: str, item: Any) -> bool:
    return (
        key not in WHOLE_LIST
        and isinstance(item, list)
        and bool(item)
        and all(isinstance(entry, dict) and "id" in entry for entry in item)
    )
