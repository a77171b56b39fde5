"""The published API schema describes the open-data API only.

A probe found the schema at /api/v1/schema/ also listing the Wagtail admin's API
(/admin/api/main/pages/…, its actions included): a map of editor endpoints handed to anyone.
"""

import pytest


@pytest.mark.django_db
def test_schema_lists_only_the_public_api(client):
    response = client.get("/api/v1/schema/", HTTP_ACCEPT="application/json")

    assert response.status_code == 200
    paths = set(response.json()["paths"])
    assert {"/api/v1/challenges/", "/api/v1/projects/", "/api/v1/ledger/", "/api/v1/search/"} <= paths
    assert {"/api/v1/ocds/releases/", "/api/v1/ocds/records/", "/api/v1/ocds/records/{ocid}/"} <= paths
    assert [path for path in paths if not path.startswith("/api/v1/")] == []
