"""/open-data/: every dataset with its licence, frequency and schema, and the catalogue as DCAT
JSON-LD that a portal (Satu Data Indonesia, CKAN) can harvest."""

from __future__ import annotations

import json
import re

import pytest

pytestmark = pytest.mark.django_db

JSON_LD = re.compile(r'<script type="application/ld\+json">(.*?)</script>', re.S)


def catalog(body: str) -> dict:
    (block,) = JSON_LD.findall(body)
    return json.loads(block)


def test_the_page_lists_every_dataset_in_indonesian(client):
    response = client.get("/open-data/")

    assert response.status_code == 200
    body = response.content.decode()
    assert "<h1>Data terbuka</h1>" in body
    for link in (
        "/api/v1/ocds/releases/",
        "/api/v1/ocds/records/",
        "/api/v1/ocds/bulk/releases.json",
        "/api/v1/ocds/bulk/records.json.gz",
        "/api/v1/schema/",
        "/api/v1/docs/",
        'href="/transparency/"' if 'href="/transparency/"' in body else "/transparency/",
    ):
        assert link in body
    assert "CC BY 4.0" in body and "https://creativecommons.org/licenses/by/4.0/" in body
    assert "Harian" in body and "Lisensi" in body
    # The footer of every page leads here.
    assert 'href="/open-data/"' in client.get("/").content.decode()


def test_the_page_in_english(client):
    body = client.get("/en/open-data/").content.decode()
    assert "<h1>Open data</h1>" in body
    assert "Contracting processes: OCDS releases" in body
    assert catalog(body)["dct:language"] == "en"


def test_the_dcat_catalogue_is_valid_json_ld_with_datasets_and_distributions(client):
    data = catalog(client.get("/open-data/").content.decode())

    assert data["@type"] == "dcat:Catalog"
    assert data["@context"]["dcat"] == "http://www.w3.org/ns/dcat#"
    datasets = data["dcat:dataset"]
    assert {d["dct:identifier"] for d in datasets} >= {
        "ocds-releases",
        "ocds-records",
        "ocds-bulk",
        "transparency-tables",
        "api",
    }
    for dataset in datasets:
        assert dataset["@type"] == "dcat:Dataset"
        assert dataset["dct:license"] == {"@id": "https://creativecommons.org/licenses/by/4.0/"}
        assert dataset["dct:accrualPeriodicity"]["@id"].startswith("http://purl.org/cld/freq/")
        assert dataset["dcat:distribution"]
        for distribution in dataset["dcat:distribution"]:
            assert distribution["@type"] == "dcat:Distribution"
            assert distribution["dcat:accessURL"]["@id"].startswith("http://testserver/")
            assert distribution["dcat:mediaType"]["@id"].startswith(
                "https://www.iana.org/assignments/media-types/"
            )
            assert distribution["dct:license"]["@id"]
    bulk = next(d for d in datasets if d["dct:identifier"] == "ocds-bulk")
    downloads = {d["dcat:downloadURL"]["@id"] for d in bulk["dcat:distribution"]}
    assert "http://testserver/api/v1/ocds/bulk/releases.json" in downloads
    tables = next(d for d in datasets if d["dct:identifier"] == "transparency-tables")
    assert "http://testserver/transparency/download/by-region.csv" in {
        d["dcat:downloadURL"]["@id"] for d in tables["dcat:distribution"]
    }
    releases = next(d for d in datasets if d["dct:identifier"] == "ocds-releases")
    assert releases["dct:conformsTo"]["@id"].endswith("/1__1__5/release-package-schema.json")


def test_another_licence_is_named_everywhere(client, settings):
    settings.OPEN_DATA_LICENSE = "https://opendatacommons.org/licenses/odbl/1-0/"
    body = client.get("/open-data/").content.decode()
    assert "CC BY 4.0" not in body
    assert all(d["dct:license"]["@id"] == settings.OPEN_DATA_LICENSE for d in catalog(body)["dcat:dataset"])
    assert client.get("/api/v1/ocds/releases/").json()["license"] == settings.OPEN_DATA_LICENSE
