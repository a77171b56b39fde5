"""/open-data/: every dataset the site publishes, with its licence, update frequency, schema and
links, and the same catalogue as DCAT metadata (JSON-LD) for portals that harvest it (Satu Data
Indonesia, CKAN with ckanext-dcat)."""

from __future__ import annotations

import json
from dataclasses import dataclass, field

from django.conf import settings
from django.shortcuts import render
from django.urls import reverse
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import get_language
from django.utils.translation import gettext as _

from marketplace.publicdata.ocds import bulk

CC_BY_4 = "https://creativecommons.org/licenses/by/4.0/"
OCDS_SCHEMA = "https://standard.open-contracting.org/schema/1__1__5/"
OCDS_DOCS = "https://standard.open-contracting.org/1.1/en/"
FREQUENCY = "http://purl.org/cld/freq/"
MEDIA_TYPE = "https://www.iana.org/assignments/media-types/"
# The transparency page's tables, each downloadable as CSV and XLSX.
TRANSPARENCY_TABLES = (
    "by-region",
    "by-agency",
    "by-sector",
    "by-year",
    "by-kind",
    "challenges",
    "monthly",
    "journal",
)


@dataclass
class Distribution:
    title: str
    url: str
    media_type: str
    download: bool = True  # False: an address to query (an API), not a file to download


@dataclass
class Dataset:
    slug: str
    title: str
    description: str
    frequency: str  # a code of http://purl.org/cld/freq/
    frequency_label: str
    formats: str
    distributions: list[Distribution]
    schema_url: str = ""
    schema_label: str = ""
    page_url: str = ""
    keywords: list[str] = field(default_factory=list)


def licence_label(url: str) -> str:
    return "CC BY 4.0" if url.rstrip("/") == CC_BY_4.rstrip("/") else url


def datasets(base: str) -> list[Dataset]:
    """The catalogue, with absolute addresses under ``base``."""
    continuous, daily = _("Continuously, as things happen"), _("Daily")
    ocds_keywords = ["OCDS", "open contracting", "pengadaan", "tantangan", "APBD"]
    return [
        Dataset(
            slug="ocds-releases",
            title=_("Contracting processes: OCDS releases"),
            description=_(
                "Every step of every published challenge in the Open Contracting Data Standard 1.1.5: "
                "budget allocated, challenge published and revised, winners (once the results are "
                "published), agreements, milestones and payments. Paged through links.next; "
                "?since= gives the releases dated at or after a moment."
            ),
            frequency="continuous",
            frequency_label=continuous,
            formats="JSON (OCDS release package)",
            distributions=[
                Distribution(
                    _("Release package (API)"), base + reverse("api-ocds-releases"), "application/json", False
                )
            ],
            schema_url=OCDS_SCHEMA + "release-package-schema.json",
            schema_label="OCDS 1.1.5 release package",
            page_url=OCDS_DOCS,
            keywords=ocds_keywords,
        ),
        Dataset(
            slug="ocds-records",
            title=_("Contracting processes: OCDS records"),
            description=_(
                "One record per challenge: all its releases and the compiled release, its current "
                "state. The same releases as above, gathered per process."
            ),
            frequency="continuous",
            frequency_label=continuous,
            formats="JSON (OCDS record package)",
            distributions=[
                Distribution(
                    _("Record package (API)"), base + reverse("api-ocds-records"), "application/json", False
                )
            ],
            schema_url=OCDS_SCHEMA + "record-package-schema.json",
            schema_label="OCDS 1.1.5 record package",
            page_url=OCDS_DOCS,
            keywords=ocds_keywords,
        ),
        Dataset(
            slug="ocds-bulk",
            title=_("Contracting processes: daily bulk files"),
            description=_(
                "Every OCDS release and every record in one file each, written once a day: the "
                "easiest way to take everything at once."
            ),
            frequency="daily",
            frequency_label=daily,
            formats="JSON, JSON (gzip)",
            distributions=[
                Distribution("releases.json", bulk.bulk_url("releases.json", base), "application/json"),
                Distribution("releases.json.gz", bulk.bulk_url("releases.json.gz", base), "application/gzip"),
                Distribution("records.json", bulk.bulk_url("records.json", base), "application/json"),
                Distribution("records.json.gz", bulk.bulk_url("records.json.gz", base), "application/gzip"),
            ],
            schema_url=OCDS_SCHEMA + "release-package-schema.json",
            schema_label="OCDS 1.1.5",
            page_url=OCDS_DOCS,
            keywords=ocds_keywords,
        ),
        Dataset(
            slug="transparency-tables",
            title=_("Where the money went: transparency tables"),
            description=_(
                "The tables of the transparency page, each as CSV and XLSX with the same numbers: "
                "money by region, by agency, by sector, by year and by kind of incentive, per "
                "challenge, per month, and the full public ledger."
            ),
            frequency="continuous",
            frequency_label=continuous,
            formats="CSV, XLSX",
            distributions=[
                Distribution(
                    f"{table}.{extension}",
                    f"{base}{reverse('marketplace:transparency')}download/{table}.{extension}",
                    media_type,
                )
                for table in TRANSPARENCY_TABLES
                for extension, media_type in (
                    ("csv", "text/csv"),
                    ("xlsx", "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"),
                )
            ],
            page_url=base + reverse("marketplace:transparency"),
            keywords=["transparansi", "APBD", "anggaran", "buku besar"],
        ),
        Dataset(
            slug="api",
            title=_("The JSON API"),
            description=_(
                "Challenges, funded projects, organisations, the public ledger and search, read-only, "
                "with the same filters as the pages. Amounts in minor units as stored."
            ),
            frequency="continuous",
            frequency_label=continuous,
            formats="JSON",
            distributions=[Distribution(_("API root"), base + "/api/v1/", "application/json", False)],
            schema_url=base + reverse("api-schema"),
            schema_label="OpenAPI 3",
            page_url=base + "/api/v1/docs/",
            keywords=["API", "tantangan", "proyek", "organisasi"],
        ),
        Dataset(
            slug="chain-heads",
            title=_("Tamper evidence: published chain heads"),
            description=_(
                "The latest hash of the audit trail and of the ledger, taken daily. Keep copies: a later "
                "rewrite of either no longer contains a head published before it."
            ),
            frequency="daily",
            frequency_label=daily,
            formats="JSON",
            distributions=[
                Distribution(_("Chain heads"), base + reverse("api-chain-heads"), "application/json", False)
            ],
            schema_url=base + reverse("api-schema"),
            schema_label="OpenAPI 3",
            page_url=base + reverse("marketplace:transparency"),
            keywords=["audit", "hash"],
        ),
    ]


def dcat_catalog(items: list[Dataset], *, base: str, page_url: str, licence: str) -> dict:
    """The catalogue in DCAT (JSON-LD, compact with the usual prefixes)."""
    publisher = {
        "@type": "foaf:Organization",
        "foaf:name": settings.OCDS_PUBLISHER_NAME,
        "foaf:homepage": base + "/",
    }
    return {
        "@context": {
            "dcat": "http://www.w3.org/ns/dcat#",
            "dct": "http://purl.org/dc/terms/",
            "foaf": "http://xmlns.com/foaf/0.1/",
        },
        "@id": page_url,
        "@type": "dcat:Catalog",
        "dct:title": _("Open data of %(site)s") % {"site": settings.WAGTAIL_SITE_NAME},
        "dct:description": _("Every dataset the site publishes, with its licence and how often it changes."),
        "dct:language": get_language(),
        "dct:publisher": publisher,
        "dct:license": {"@id": licence},
        "foaf:homepage": {"@id": page_url},
        "dcat:dataset": [
            {
                "@id": f"{page_url}#{item.slug}",
                "@type": "dcat:Dataset",
                "dct:identifier": item.slug,
                "dct:title": item.title,
                "dct:description": item.description,
                "dct:publisher": publisher,
                "dct:license": {"@id": licence},
                "dct:accrualPeriodicity": {"@id": FREQUENCY + item.frequency},
                "dcat:keyword": item.keywords,
                **({"dct:conformsTo": {"@id": item.schema_url}} if item.schema_url else {}),
                **({"dcat:landingPage": {"@id": item.page_url}} if item.page_url else {}),
                "dcat:distribution": [
                    {
                        "@type": "dcat:Distribution",
                        "dct:title": distribution.title,
                        "dcat:accessURL": {"@id": distribution.url},
                        **({"dcat:downloadURL": {"@id": distribution.url}} if distribution.download else {}),
                        "dcat:mediaType": {"@id": MEDIA_TYPE + distribution.media_type},
                        "dct:license": {"@id": licence},
                    }
                    for distribution in item.distributions
                ],
            }
            for item in items
        ],
    }


def json_ld(data: dict) -> SafeString:
    """JSON for a <script type="application/ld+json"> block: nothing in it can close the element.
    A data block is never executed, so the Content Security Policy needs no nonce for it."""
    text = json.dumps(data, ensure_ascii=False, indent=1)
    return mark_safe(text.replace("<", "\\u003c").replace(">", "\\u003e").replace("&", "\\u0026"))  # noqa: S308


def open_data(request):
    base = request.build_absolute_uri("/").rstrip("/")
    licence = settings.OPEN_DATA_LICENSE
    items = datasets(base)
    catalog = dcat_catalog(
        items, base=base, page_url=request.build_absolute_uri(request.path), licence=licence
    )
    return render(
        request,
        "publicdata/open_data.html",
        {
            "datasets": items,
            "licence_url": licence,
            "licence_label": licence_label(licence),
            "ocds_prefix": settings.OCDS_PREFIX,
            "dcat_json_ld": json_ld(catalog),
        },
    )
